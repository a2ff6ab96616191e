namespace Microsoft.ML.Recurrent.Tests.MLNet.Trainers;

/// <summary>Save/load round trips for the trainer tests.</summary>
internal static class TrainerAssertions
{
    /// <summary>Saves <paramref name="model"/> with <c>mlContext.Model.Save</c> and loads it into a fresh context.</summary>
    public static ITransformer SaveAndLoad(MLContext ml, ITransformer model, IDataView data)
    {
        using var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        stream.Position = 0;
        var fresh = new MLContext(seed: 99);
        return fresh.Model.Load(stream, out _);
    }

    /// <summary>The values of column <paramref name="name"/> (Single or vector of Single) of every row.</summary>
    public static float[][] Column(IDataView data, string name)
    {
        var column = data.Schema[name];
        var result = new List<float[]>();
        using var cursor = data.GetRowCursor([column]);
        if (column.Type is Microsoft.ML.Data.VectorDataViewType)
        {
            var get = cursor.GetGetter<Microsoft.ML.Data.VBuffer<float>>(column);
            var v = default(Microsoft.ML.Data.VBuffer<float>);
            while (cursor.MoveNext())
            {
                get(ref v);
                result.Add(v.DenseValues().ToArray());
            }
        }
        else
        {
            var get = cursor.GetGetter<float>(column);
            float v = 0;
            while (cursor.MoveNext())
            {
                get(ref v);
                result.Add([v]);
            }
        }
        return result.ToArray();
    }
}
