using Microsoft.ML.Data;

namespace Microsoft.ML.Compat.Tests.DataView;

/// <summary>A user-written IDataView (as ML.NET users write them): rows 0..n-1 with X = i, split into cursor sets by parity.</summary>
internal sealed class RangeDataView : IDataView
{
    private readonly int _rows;

    public RangeDataView(int rows)
    {
        _rows = rows;
        var b = new DataViewSchema.Builder();
        b.AddColumn("X", NumberDataViewType.Single);
        Schema = b.ToSchema();
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => _rows;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this, 0, 1);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        n <= 1 ? new[] { GetRowCursor(columnsNeeded, rand) } : new DataViewRowCursor[] { new Cursor(this, 0, 2), new Cursor(this, 1, 2) };

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly RangeDataView _parent;
        private readonly int _step;
        private long _value;
        private long _position = -1;

        public Cursor(RangeDataView parent, int start, int step)
        {
            _parent = parent;
            _step = step;
            _value = start - step;
            Batch = start;
        }

        public override long Position => _position;

        public override long Batch { get; }

        public override DataViewSchema Schema => _parent.Schema;

        public override bool MoveNext()
        {
            _value += _step;
            if (_value >= _parent._rows)
            {
                return false;
            }

            _position++;
            return true;
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (typeof(TValue) != typeof(float))
            {
                throw new InvalidOperationException("X is Single.");
            }

            ValueGetter<float> g = (ref float v) => v = _value;
            return (ValueGetter<TValue>)(Delegate)g;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_value, 0);

        public override bool IsColumnActive(DataViewSchema.Column column) => true;
    }
}

public class CustomDataViewTests
{
    [Fact]
    public void TransformedCursorSets_WrapEveryInputCursor()
    {
        var ml = new MLContext(seed: 1);
        var source = new RangeDataView(10);
        var model = ml.Transforms.Concatenate("F", "X").Append(ml.Transforms.NormalizeMinMax("F")).Fit(source);
        var transformed = model.Transform(source);
        var column = transformed.Schema["F"];
        var cursors = transformed.GetRowCursorSet(new[] { column }, 2);
        Assert.Equal(2, cursors.Length);
        var seen = new List<float>();
        foreach (var cursor in cursors)
        {
            using (cursor)
            {
                var g = cursor.GetGetter<VBuffer<float>>(column);
                VBuffer<float> v = default;
                while (cursor.MoveNext())
                {
                    g(ref v);
                    seen.Add(v.GetValues()[0]);
                }
            }
        }

        Assert.Equal(Enumerable.Range(0, 10).Select(i => i / 9f), seen.OrderBy(x => x));
        Assert.Equal(10, transformed.GetRowCount());
        Assert.Equal(new[] { 0L, 1L }, cursors.Select(c => c.Batch));
    }
}
