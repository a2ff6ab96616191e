using System.Numerics;
using System.Numerics.Tensors;

namespace Microsoft.ML.Recurrent.Tensors.Cpu;

// Convolution as im2col + GEMM. In channels_last layout a row of the im2col matrix (one output position) is the
// concatenation of Cin-long input vectors, one per kernel tap, in the same order as the rows of the Keras kernel
// (k..., Cin, Cout) flattened to (K·Cin, Cout); so the forward pass is col · W, the data gradient is dy · Wᵀ
// scattered back by col2im, and the filter gradient is colᵀ · dy. The rows of all examples form one long sequence
// (batch × output positions) that is processed in blocks small enough to stay in cache, so the workspace is bounded
// however large the images are.
internal sealed partial class CpuBackend
{
    /// <summary>
    /// Target size (elements) of the im2col block a worker builds at once, within a floor of
    /// <see cref="ConvolutionPlan.MinimumBlockRows"/> rows. Settable so tests can exercise the block loop on small
    /// problems (any value gives the same results up to rounding).
    /// </summary>
    internal static long ConvolutionWorkspaceBudget { get; set; } = 1 << 18;

    /// <summary>Multiply-adds below which a convolution runs on one thread (settable for the same reason).</summary>
    internal static long ConvolutionParallelThreshold { get; set; } = 1 << 22;

    public void Convolution(ConvolutionGeometry geometry, Tensor x, Tensor kernel, Tensor y)
    {
        var plan = new ConvolutionPlan(geometry);
        if (x.DType == DType.Float32) ConvolutionForward(plan, ConvolutionArray<float>(x), ConvolutionArray<float>(kernel), ConvolutionArray<float>(y));
        else ConvolutionForward(plan, ConvolutionArray<double>(x), ConvolutionArray<double>(kernel), ConvolutionArray<double>(y));
    }

    public void ConvolutionBackwardData(ConvolutionGeometry geometry, Tensor dy, Tensor kernel, Tensor dx)
    {
        var plan = new ConvolutionPlan(geometry);
        if (dy.DType == DType.Float32) ConvolutionData(plan, ConvolutionArray<float>(dy), ConvolutionArray<float>(kernel), ConvolutionArray<float>(dx));
        else ConvolutionData(plan, ConvolutionArray<double>(dy), ConvolutionArray<double>(kernel), ConvolutionArray<double>(dx));
    }

    public void ConvolutionBackwardFilter(ConvolutionGeometry geometry, Tensor x, Tensor dy, Tensor dkernel)
    {
        var plan = new ConvolutionPlan(geometry);
        if (x.DType == DType.Float32) ConvolutionFilter(plan, ConvolutionArray<float>(x), ConvolutionArray<float>(dy), ConvolutionArray<float>(dkernel));
        else ConvolutionFilter(plan, ConvolutionArray<double>(x), ConvolutionArray<double>(dy), ConvolutionArray<double>(dkernel));
    }

    private static T[] ConvolutionArray<T>(Tensor t) where T : unmanaged => ((CpuStorage)t.Storage).Array<T>();

    private static unsafe void ConvolutionForward<T>(ConvolutionPlan plan, T[] x, T[] w, T[] y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Output rows are independent, so workers may split the rows anywhere, even inside an example.
        int workers = plan.WorkersFor(plan.Rows);
        int gemmThreads = Math.Max(1, Gemm.MaxThreads / workers);
        plan.ForEachRowRange(workers, plan.Rows, 1, (first, end, _) =>
        {
            var col = plan.IsPointwise ? null : ConvolutionWorkspace<T>.Take(plan.BlockLength(end - first));
            fixed (T* px = x, pw = w, py = y, pcol = col)
            {
                for (long r = first; r < end; r += plan.BlockRows)
                {
                    int count = (int)Math.Min(plan.BlockRows, end - r);
                    T* a = px + r * plan.InputChannels;
                    if (!plan.IsPointwise)
                    {
                        plan.Im2Col(px, r, count, pcol);
                        a = pcol;
                    }
                    ConvolutionGemm(gemmThreads, false, false, count, plan.OutputChannels, plan.ColumnWidth,
                        a, plan.ColumnWidth, pw, plan.OutputChannels, false, py + r * plan.OutputChannels, plan.OutputChannels);
                }
            }
            ConvolutionWorkspace<T>.Return(col);
        });
    }

    private static unsafe void ConvolutionData<T>(ConvolutionPlan plan, T[] dy, T[] w, T[] dx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        // col2im adds overlapping windows into the same input pixels, so workers split only between examples.
        int workers = plan.WorkersFor(plan.Batch);
        int gemmThreads = Math.Max(1, Gemm.MaxThreads / workers);
        plan.ForEachRowRange(workers, plan.Batch, plan.Positions, (first, end, _) =>
        {
            var col = plan.IsPointwise ? null : ConvolutionWorkspace<T>.Take(plan.BlockLength(end - first));
            fixed (T* pdy = dy, pw = w, pdx = dx, pcol = col)
            {
                if (!plan.IsPointwise)
                    for (long n = first / plan.Positions; n < end / plan.Positions; n++)
                        new Span<T>(pdx + n * plan.InputStride, (int)plan.InputStride).Clear();
                for (long r = first; r < end; r += plan.BlockRows)
                {
                    int count = (int)Math.Min(plan.BlockRows, end - r);
                    T* g = pdy + r * plan.OutputChannels;
                    if (plan.IsPointwise)
                    {
                        ConvolutionGemm(gemmThreads, false, true, count, plan.InputChannels, plan.OutputChannels,
                            g, plan.OutputChannels, pw, plan.OutputChannels, false, pdx + r * plan.InputChannels, plan.InputChannels);
                        continue;
                    }
                    ConvolutionGemm(gemmThreads, false, true, count, plan.ColumnWidth, plan.OutputChannels,
                        g, plan.OutputChannels, pw, plan.OutputChannels, false, pcol, plan.ColumnWidth);
                    plan.Col2Im(pcol, r, count, pdx);
                }
            }
            ConvolutionWorkspace<T>.Return(col);
        });
    }

    private static unsafe void ConvolutionFilter<T>(ConvolutionPlan plan, T[] x, T[] dy, T[] dw) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int workers = plan.WorkersFor(plan.Rows);
        int gemmThreads = Math.Max(1, Gemm.MaxThreads / workers);
        // Each worker sums its rows into its own buffer; the first worker writes straight to the result.
        var partials = new T[workers][];
        partials[0] = dw;
        for (int c = 1; c < workers; c++) partials[c] = new T[dw.Length];
        plan.ForEachRowRange(workers, plan.Rows, 1, (first, end, worker) =>
        {
            var target = partials[worker];
            if (first == end)
            {
                Array.Clear(target);
                return;
            }
            var col = plan.IsPointwise ? null : ConvolutionWorkspace<T>.Take(plan.BlockLength(end - first));
            fixed (T* px = x, pdy = dy, pt = target, pcol = col)
            {
                for (long r = first; r < end; r += plan.BlockRows)
                {
                    int count = (int)Math.Min(plan.BlockRows, end - r);
                    T* a = px + r * plan.InputChannels;
                    if (!plan.IsPointwise)
                    {
                        plan.Im2Col(px, r, count, pcol);
                        a = pcol;
                    }
                    ConvolutionGemm(gemmThreads, true, false, plan.ColumnWidth, plan.OutputChannels, count,
                        a, plan.ColumnWidth, pdy + r * plan.OutputChannels, plan.OutputChannels, r != first, pt, plan.OutputChannels);
                }
            }
            ConvolutionWorkspace<T>.Return(col);
        });
        for (int c = 1; c < workers; c++) TensorPrimitives.Add<T>(dw, partials[c], dw);
    }

    /// <summary>
    /// <c>c = op(a)·op(b)</c>, or <c>c += op(a)·op(b)</c> when <paramref name="accumulate"/>, through the shared GEMM
    /// with <paramref name="threads"/> threads (the convolution's own workers already share the cores).
    /// </summary>
    private static unsafe void ConvolutionGemm<T>(int threads, bool transposeA, bool transposeB, int m, int n, int k,
        T* a, int lda, T* b, int ldb, bool accumulate, T* c, int ldc) where T : unmanaged
    {
        if (m == 0 || n == 0) return;
        if (typeof(T) == typeof(float))
            Gemm.Sgemm(GemmPath.Auto, threads, transposeA, transposeB, m, n, k, 1f, (float*)a, lda, (float*)b, ldb, accumulate ? 1f : 0f, (float*)c, ldc);
        else
            Gemm.Dgemm(GemmPath.Auto, threads, transposeA, transposeB, m, n, k, 1.0, (double*)a, lda, (double*)b, ldb, accumulate ? 1.0 : 0.0, (double*)c, ldc);
    }

    /// <summary>
    /// A per-thread im2col buffer kept between calls, so steady-state training allocates no large arrays. A worker
    /// takes it for the duration of its rows and gives it back, so a nested use on the same thread gets its own.
    /// </summary>
    private static class ConvolutionWorkspace<T> where T : unmanaged
    {
        [ThreadStatic] private static T[]? t_buffer;

        public static T[] Take(long length)
        {
            var buffer = t_buffer;
            t_buffer = null;
            if (buffer is null || buffer.Length < length) buffer = new T[checked((int)length)];
            return buffer;
        }

        public static void Return(T[]? buffer)
        {
            if (buffer is not null && (t_buffer is null || t_buffer.Length < buffer.Length)) t_buffer = buffer;
        }
    }

    /// <summary>
    /// A <see cref="ConvolutionGeometry"/> lifted to three spatial axes (conv1d and conv2d get leading singleton
    /// axes with kernel 1, stride 1 and no padding), with the block sizes and work split the kernels use.
    /// </summary>
    private sealed unsafe class ConvolutionPlan
    {
        /// <summary>Fewest im2col rows per block, so each GEMM call is tall enough to run at full speed.</summary>
        public const int MinimumBlockRows = 64;

        private readonly int[] _in = new int[3], _kernel = new int[3], _stride = new int[3], _dilation = new int[3], _pad = new int[3], _out = new int[3];

        public ConvolutionPlan(ConvolutionGeometry g)
        {
            int shift = 3 - g.Rank;
            for (int i = 0; i < 3; i++)
            {
                bool real = i >= shift;
                _in[i] = real ? g.InputSize[i - shift] : 1;
                _kernel[i] = real ? g.KernelSize[i - shift] : 1;
                _stride[i] = real ? g.Strides[i - shift] : 1;
                _dilation[i] = real ? g.Dilations[i - shift] : 1;
                _pad[i] = real ? g.PaddingBefore[i - shift] : 0;
                _out[i] = real ? g.OutputSize[i - shift] : 1;
            }
            Batch = g.Batch;
            InputChannels = g.InputChannels;
            OutputChannels = g.OutputChannels;
            Positions = checked(_out[0] * _out[1] * _out[2]);
            ColumnWidth = checked(_kernel[0] * _kernel[1] * _kernel[2] * InputChannels);
            Rows = (long)Batch * Positions;
            InputStride = (long)_in[0] * _in[1] * _in[2] * InputChannels;
            IsPointwise = ColumnWidth == InputChannels && _stride.All(s => s == 1) && g.PaddingBefore.All(p => p == 0) && g.PaddingAfter.All(p => p == 0);
            // A pointwise convolution needs no workspace, so its only limit is GEMM's int-sized dimensions.
            int widest = Math.Max(ColumnWidth, Math.Max(InputChannels, OutputChannels));
            BlockRows = IsPointwise
                ? int.MaxValue / widest
                : (int)Math.Clamp(ConvolutionWorkspaceBudget / ColumnWidth, Math.Min(MinimumBlockRows, int.MaxValue / widest), int.MaxValue / widest);
        }

        public int Batch { get; }

        public int InputChannels { get; }

        public int OutputChannels { get; }

        /// <summary>Output positions per example (rows of one example's im2col matrix).</summary>
        public int Positions { get; }

        /// <summary>Kernel taps × input channels (columns of the im2col matrix, rows of the flattened kernel).</summary>
        public int ColumnWidth { get; }

        /// <summary>im2col rows of the whole batch: examples × output positions.</summary>
        public long Rows { get; }

        /// <summary>Elements of one example's input.</summary>
        public long InputStride { get; }

        /// <summary>A 1×…×1 kernel with stride 1 and no padding: the input already is the im2col matrix.</summary>
        public bool IsPointwise { get; }

        /// <summary>im2col rows built and multiplied at once.</summary>
        public int BlockRows { get; }

        public long BlockLength(long rows) => Math.Min(rows, BlockRows) * ColumnWidth;

        /// <summary>Threads to split <paramref name="units"/> independent pieces of work across: one below the parallel threshold.</summary>
        public int WorkersFor(long units)
        {
            long work = Rows * ColumnWidth * OutputChannels;
            return work < ConvolutionParallelThreshold ? 1 : (int)Math.Clamp(units, 1, Environment.ProcessorCount);
        }

        /// <summary>
        /// Runs <paramref name="body"/>(firstRow, endRow, worker) on <paramref name="workers"/> threads, giving each an
        /// equal share of <paramref name="units"/> units of <paramref name="rowsPerUnit"/> consecutive rows.
        /// </summary>
        public void ForEachRowRange(int workers, long units, long rowsPerUnit, Action<long, long, int> body)
        {
            if (workers == 1)
            {
                body(0, units * rowsPerUnit, 0);
                return;
            }
            Parallel.For(0, workers, c => body(units * c / workers * rowsPerUnit, units * (c + 1) / workers * rowsPerUnit, c));
        }

        /// <summary>Writes im2col rows <c>[firstRow, firstRow + count)</c> of the batch <paramref name="images"/> to <paramref name="col"/>; taps in the padding read zero.</summary>
        public void Im2Col<T>(T* images, long firstRow, int count, T* col) where T : unmanaged => Walk(images, firstRow, count, col, gather: true);

        /// <summary>Adds im2col-shaped gradient rows back onto the input positions <see cref="Im2Col"/> read them from.</summary>
        public void Col2Im<T>(T* col, long firstRow, int count, T* images) where T : unmanaged => Walk(images, firstRow, count, col, gather: false);

        private void Walk<T>(T* images, long firstRow, int count, T* col, bool gather) where T : unmanaged
        {
            if (count == 0) return;
            long example = firstRow / Positions;
            int position = (int)(firstRow % Positions);
            int ow = position % _out[2], oh = position / _out[2] % _out[1], od = position / _out[2] / _out[1];
            T* image = images + example * InputStride;
            T* row = col;
            for (int i = 0; i < count; i++, row += ColumnWidth)
            {
                WalkRow(image, od, oh, ow, row, gather);
                if (++ow < _out[2]) continue;
                ow = 0;
                if (++oh < _out[1]) continue;
                oh = 0;
                if (++od < _out[0]) continue;
                od = 0;
                image += InputStride;
            }
        }

        /// <summary>Moves one output position's window between the image and its im2col row.</summary>
        private void WalkRow<T>(T* image, int od, int oh, int ow, T* row, bool gather) where T : unmanaged
        {
            int channels = InputChannels;
            int d0 = od * _stride[0] - _pad[0], h0 = oh * _stride[1] - _pad[1], w0 = ow * _stride[2] - _pad[2];
            // With dilation 1 and the window inside the image, a kernel row's taps are adjacent pixels: one run.
            int run = _kernel[2] * channels;
            bool contiguous = _dilation[2] == 1 && w0 >= 0 && w0 + _kernel[2] <= _in[2];
            T* tap = row;
            for (int kd = 0; kd < _kernel[0]; kd++)
            {
                int id = d0 + kd * _dilation[0];
                bool insideD = (uint)id < (uint)_in[0];
                for (int kh = 0; kh < _kernel[1]; kh++, tap += run)
                {
                    int ih = h0 + kh * _dilation[1];
                    if (!insideD || (uint)ih >= (uint)_in[1])
                    {
                        if (gather) new Span<T>(tap, run).Clear();
                        continue;
                    }
                    T* line = image + ((long)id * _in[1] + ih) * _in[2] * channels;
                    if (contiguous)
                    {
                        Move(line + (long)w0 * channels, tap, run, gather);
                        continue;
                    }
                    for (int kw = 0; kw < _kernel[2]; kw++)
                    {
                        int iw = w0 + kw * _dilation[2];
                        if ((uint)iw < (uint)_in[2]) Move(line + (long)iw * channels, tap + kw * channels, channels, gather);
                        else if (gather) new Span<T>(tap + kw * channels, channels).Clear();
                    }
                }
            }
        }

        /// <summary>Copies image → column (gather) or adds column → image (scatter).</summary>
        private static void Move<T>(T* pixels, T* column, int length, bool gather) where T : unmanaged
        {
            if (gather)
            {
                new ReadOnlySpan<T>(pixels, length).CopyTo(new Span<T>(column, length));
            }
            else if (typeof(T) == typeof(float))
            {
                var d = new Span<float>((float*)pixels, length);
                TensorPrimitives.Add(d, new ReadOnlySpan<float>((float*)column, length), d);
            }
            else
            {
                var d = new Span<double>((double*)pixels, length);
                TensorPrimitives.Add(d, new ReadOnlySpan<double>((double*)column, length), d);
            }
        }
    }
}
