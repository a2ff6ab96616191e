using Microsoft.ML.Data;

namespace Microsoft.ML.Transforms.TimeSeries;

/// <summary>
/// The output of <see cref="RecurrentForecastingTransformer.Transform"/>: the input rows plus the forecast (and bound)
/// columns. Each cursor walks the input in order from a copy of the transformer's state, adding every row's
/// observation before forecasting, so rows cannot be shuffled or split across threads.
/// </summary>
internal sealed class ForecastDataView(RecurrentForecastingTransformer transformer, IDataView input, DataViewSchema schema) : IDataView
{
    public bool CanShuffle => false;

    public DataViewSchema Schema => schema;

    public long? GetRowCount() => input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.Select(c => c.Index).ToHashSet();
        var inputNeeded = input.Schema.Where(c => needed.Contains(c.Index)).ToList();
        var series = SeriesColumns.Check(input.Schema, transformer.ColumnNames.Inputs);
        foreach (var column in series)
        {
            if (!needed.Contains(column.Index))
            {
                inputNeeded.Add(column);
            }
        }

        return new Cursor(transformer, input.GetRowCursor(inputNeeded), series, schema, needed);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly RecurrentForecastingTransformer _transformer;
        private readonly DataViewRowCursor _input;
        private readonly ValueGetter<float>[] _series;
        private readonly DataViewSchema _schema;
        private readonly HashSet<int> _needed;
        private readonly ObservationWindow _state;
        private readonly float[] _step;
        private readonly int _firstOutput;
        private readonly bool _forecasts;
        private (float[] Forecast, float[] Lower, float[] Upper) _current;

        public Cursor(RecurrentForecastingTransformer transformer, DataViewRowCursor input, DataViewSchema.Column[] series, DataViewSchema schema, HashSet<int> needed)
        {
            _transformer = transformer;
            _input = input;
            _series = series.Select(c => input.GetGetter<float>(c)).ToArray();
            _schema = schema;
            _needed = needed;
            _state = transformer.State.Clone();
            _step = new float[series.Length];
            _firstOutput = input.Schema.Count;
            _forecasts = needed.Any(i => i >= _firstOutput);
        }

        public override long Position => _input.Position;

        public override long Batch => _input.Batch;

        public override DataViewSchema Schema => _schema;

        public override bool MoveNext()
        {
            if (!_input.MoveNext())
            {
                return false;
            }

            var names = _transformer.ColumnNames.Inputs;
            for (int i = 0; i < _series.Length; i++)
            {
                _series[i](ref _step[i]);
                SeriesColumns.CheckFinite(_step[i], names[i], _input.Position);
            }

            _state.Push(_step);
            if (_forecasts)
            {
                _current = _transformer.Forecaster.Forecast(_state, _transformer.Horizon, _transformer.ConfidenceLevel);
            }

            return true;
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index < _firstOutput)
            {
                return _input.GetGetter<TValue>(_input.Schema[column.Index]);
            }

            if (typeof(TValue) != typeof(VBuffer<float>))
            {
                throw new InvalidOperationException(
                    $"Invalid TValue in GetGetter for column #{column.Index}: {column.Type}: '{typeof(TValue)}', expected type: '{typeof(VBuffer<float>)}'.");
            }

            int which = column.Index - _firstOutput;
            ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> value) =>
            {
                var source = which switch { 0 => _current.Forecast, 1 => _current.Lower, _ => _current.Upper };
                value = new VBuffer<float>(source.Length, (float[])source.Clone());
            };
            return (ValueGetter<TValue>)(object)getter;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => _needed.Contains(column.Index);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _input.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
