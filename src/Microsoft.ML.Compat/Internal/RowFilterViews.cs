using Microsoft.ML.Data;

namespace Microsoft.ML.Compat.Internal;

/// <summary>Keeps the rows for which a predicate over the current row is true; streams, never materializes.</summary>
internal sealed class FilteringDataView : IDataView
{
    private readonly IDataView _input;
    private readonly Func<DataViewRow, Func<bool>> _makePredicate;
    private readonly DataViewSchema.Column[] _predicateColumns;

    public FilteringDataView(IDataView input, IEnumerable<DataViewSchema.Column> predicateColumns, Func<DataViewRow, Func<bool>> makePredicate)
    {
        _input = input;
        _predicateColumns = predicateColumns.ToArray();
        _makePredicate = makePredicate;
    }

    public bool CanShuffle => _input.CanShuffle;

    public DataViewSchema Schema => _input.Schema;

    public long? GetRowCount() => null;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.Concat(_predicateColumns).DistinctBy(c => c.Index).ToList();
        return new Cursor(_input.GetRowCursor(needed, rand), _makePredicate);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        new[] { GetRowCursor(columnsNeeded, rand) };

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly DataViewRowCursor _input;
        private readonly Func<bool> _predicate;
        private long _position = -1;

        public Cursor(DataViewRowCursor input, Func<DataViewRow, Func<bool>> makePredicate)
        {
            _input = input;
            _predicate = makePredicate(input);
        }

        public override long Position => _position;

        public override long Batch => _input.Batch;

        public override DataViewSchema Schema => _input.Schema;

        public override bool MoveNext()
        {
            while (_input.MoveNext())
            {
                if (_predicate())
                {
                    _position++;
                    return true;
                }
            }

            return false;
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => _input.GetGetter<TValue>(column);

        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => _input.IsColumnActive(column);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _input.Dispose();
            }
        }
    }
}

/// <summary>Skips the first <c>skip</c> rows and stops after <c>take</c> rows.</summary>
internal sealed class RowRangeDataView : IDataView
{
    private readonly IDataView _input;
    private readonly long _skip;
    private readonly long _take;

    public RowRangeDataView(IDataView input, long skip, long take)
    {
        _input = input;
        _skip = skip;
        _take = take;
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema => _input.Schema;

    public long? GetRowCount()
    {
        long? n = _input.GetRowCount();
        return n == null ? null : Math.Max(0, Math.Min(_take, n.Value - _skip));
    }

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(_input.GetRowCursor(columnsNeeded), _skip, _take);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        new[] { GetRowCursor(columnsNeeded, rand) };

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly DataViewRowCursor _input;
        private readonly long _skip;
        private readonly long _take;
        private long _position = -1;
        private bool _skipped;

        public Cursor(DataViewRowCursor input, long skip, long take)
        {
            _input = input;
            _skip = skip;
            _take = take;
        }

        public override long Position => _position;

        public override long Batch => 0;

        public override DataViewSchema Schema => _input.Schema;

        public override bool MoveNext()
        {
            if (!_skipped)
            {
                _skipped = true;
                for (long i = 0; i < _skip; i++)
                {
                    if (!_input.MoveNext())
                    {
                        return false;
                    }
                }
            }

            if (_position + 1 >= _take || !_input.MoveNext())
            {
                return false;
            }

            _position++;
            return true;
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => _input.GetGetter<TValue>(column);

        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => _input.IsColumnActive(column);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _input.Dispose();
            }
        }
    }
}

/// <summary>A cursor that reads values stored in <see cref="ValueStore"/>s, in a given order of slots.</summary>
internal sealed class StoredRowCursor : DataViewRowCursor
{
    private readonly Delegate?[] _getters;
    private readonly Func<bool> _moveNext;
    private readonly Func<DataViewRowId> _id;
    private long _position = -1;

    public StoredRowCursor(DataViewSchema schema, ValueStore?[] stores, Func<int> slot, Func<bool> moveNext, Func<DataViewRowId> id)
    {
        Schema = schema;
        _moveNext = moveNext;
        _id = id;
        _getters = stores.Select(s => s?.MakeGetter(slot)).ToArray();
    }

    public override long Position => _position;

    public override long Batch => 0;

    public override DataViewSchema Schema { get; }

    public override bool MoveNext()
    {
        if (_moveNext())
        {
            _position++;
            return true;
        }

        return false;
    }

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => GetterArray.Get<TValue>(Schema, _getters, column);

    public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = _id();

    public override bool IsColumnActive(DataViewSchema.Column column) => (uint)column.Index < (uint)_getters.Length && _getters[column.Index] != null;
}

/// <summary>Shuffles rows through a pool of <c>poolSize</c> rows: memory is bounded by the pool, not the data.</summary>
internal sealed class ShufflingDataView : IDataView
{
    private readonly IDataView _input;
    private readonly int _seed;
    private readonly int _poolSize;
    private readonly bool _shuffleSource;

    public ShufflingDataView(IDataView input, int seed, int poolSize, bool shuffleSource)
    {
        _input = input;
        _seed = seed;
        _poolSize = poolSize;
        _shuffleSource = shuffleSource;
    }

    public bool CanShuffle => true;

    public DataViewSchema Schema => _input.Schema;

    public long? GetRowCount() => _input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.DistinctBy(c => c.Index).ToList();
        var random = rand ?? new Random(_seed);
        var input = _input.GetRowCursor(needed, _shuffleSource && _input.CanShuffle ? new Random(random.Next()) : null);
        var stores = new ValueStore?[Schema.Count];
        var idStore = new List<DataViewRowId>();
        var idGetter = input.GetIdGetter();
        foreach (var c in needed)
        {
            stores[c.Index] = ValueStore.Create(c.Type);
            stores[c.Index]!.Bind(input, c);
        }

        int filled = 0;
        bool exhausted = false;
        int current = -1;
        int lastServed = -1;
        bool done = false;

        void Fill(int slot)
        {
            foreach (var s in stores)
            {
                s?.CopyFromRow(slot);
            }

            DataViewRowId id = default;
            idGetter(ref id);
            if (slot == idStore.Count)
            {
                idStore.Add(id);
            }
            else
            {
                idStore[slot] = id;
            }
        }

        bool MoveNext()
        {
            if (done)
            {
                return false;
            }

            // Refill the slot served last, then serve a random slot of the pool.
            if (lastServed >= 0)
            {
                if (!exhausted && input.MoveNext())
                {
                    Fill(lastServed);
                }
                else
                {
                    exhausted = true;
                    filled--;
                    if (lastServed != filled)
                    {
                        foreach (var s in stores)
                        {
                            s?.Move(filled, lastServed);
                        }

                        idStore[lastServed] = idStore[filled];
                    }
                }
            }
            else
            {
                while (filled < _poolSize && input.MoveNext())
                {
                    Fill(filled++);
                }

                exhausted = filled < _poolSize;
            }

            if (filled == 0)
            {
                done = true;
                input.Dispose();
                return false;
            }

            current = random.Next(filled);
            lastServed = current;
            return true;
        }

        return new StoredRowCursor(Schema, stores, () => current, MoveNext, () => idStore[current]);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        new[] { GetRowCursor(columnsNeeded, rand) };
}

/// <summary>Reads its input once, on the first cursor, and serves every later cursor from memory.</summary>
internal sealed class CachingDataView : IDataView
{
    private readonly IDataView _input;
    private readonly object _lock = new();
    private ValueStore[]? _stores;
    private int _rowCount;

    public CachingDataView(IDataView input)
    {
        _input = input;
    }

    public bool CanShuffle => true;

    public DataViewSchema Schema => _input.Schema;

    public long? GetRowCount()
    {
        lock (_lock)
        {
            return _stores == null ? _input.GetRowCount() : _rowCount;
        }
    }

    private ValueStore[] EnsureFilled()
    {
        lock (_lock)
        {
            if (_stores != null)
            {
                return _stores;
            }

            var stores = Schema.Select(c => ValueStore.Create(c.Type)).ToArray();
            using var cursor = _input.GetRowCursor(Schema);
            foreach (var c in Schema)
            {
                stores[c.Index].Bind(cursor, c);
            }

            int n = 0;
            while (cursor.MoveNext())
            {
                foreach (var s in stores)
                {
                    s.CopyFromRow(n);
                }

                n++;
            }

            _rowCount = n;
            _stores = stores;
            return stores;
        }
    }

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var all = EnsureFilled();
        var active = new HashSet<int>(columnsNeeded.Select(c => c.Index));
        var stores = all.Select((s, i) => active.Contains(i) ? s : null).ToArray();
        int[] order = Enumerable.Range(0, _rowCount).ToArray();
        if (rand != null)
        {
            rand.Shuffle(order);
        }

        int k = -1;
        return new StoredRowCursor(Schema, stores, () => order[k], () => ++k < order.Length, () => new DataViewRowId((ulong)order[k], 0));
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        new[] { GetRowCursor(columnsNeeded, rand) };
}

/// <summary>Repeats each input row a Poisson(1) number of times (or keeps only the rows drawn zero times).</summary>
internal sealed class BootstrapDataView : IDataView
{
    private readonly IDataView _input;
    private readonly int _seed;
    private readonly bool _complement;

    public BootstrapDataView(IDataView input, int seed, bool complement)
    {
        _input = input;
        _seed = seed;
        _complement = complement;
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema => _input.Schema;

    public long? GetRowCount() => null;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(_input.GetRowCursor(columnsNeeded), _seed, _complement);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        new[] { GetRowCursor(columnsNeeded, rand) };

    /// <summary>Draws Poisson(1) by Knuth's method from a generator seeded by the seed and the row position, so passes agree.</summary>
    internal static int Draw(int seed, long position)
    {
        ulong state = SplitKey.Mix(((ulong)(uint)seed << 32) ^ (ulong)position);
        double limit = Math.Exp(-1);
        double product = 1;
        int k = -1;
        do
        {
            k++;
            state = SplitKey.Mix(state);
            product *= (state >> 11) * (1.0 / (1UL << 53));
        }
        while (product > limit);
        return k;
    }

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly DataViewRowCursor _input;
        private readonly int _seed;
        private readonly bool _complement;
        private int _remaining;
        private long _position = -1;

        public Cursor(DataViewRowCursor input, int seed, bool complement)
        {
            _input = input;
            _seed = seed;
            _complement = complement;
        }

        public override long Position => _position;

        public override long Batch => 0;

        public override DataViewSchema Schema => _input.Schema;

        public override bool MoveNext()
        {
            while (_remaining == 0)
            {
                if (!_input.MoveNext())
                {
                    return false;
                }

                int k = Draw(_seed, _input.Position);
                _remaining = _complement ? (k == 0 ? 1 : 0) : k;
            }

            _remaining--;
            _position++;
            return true;
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => _input.GetGetter<TValue>(column);

        public override ValueGetter<DataViewRowId> GetIdGetter()
        {
            var inner = _input.GetIdGetter();
            return (ref DataViewRowId id) =>
            {
                inner(ref id);
                id = id.Combine(new DataViewRowId((ulong)_position, 0));
            };
        }

        public override bool IsColumnActive(DataViewSchema.Column column) => _input.IsColumnActive(column);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _input.Dispose();
            }
        }
    }
}
