using System.Numerics;
using System.Numerics.Tensors;

namespace Microsoft.ML.Recurrent.Tensors.Cpu;

// Convolution as im2col + GEMM. In channels_last layout a row of the im2col matrix (one output position) is the
// concatenation of Cin-long input vectors, one per kernel tap, in the same order as the rows of the Keras kernel
// (k..., Cin, Cout) flattened to (K·Cin, Cout); so the forward pass is col · W, the data gradient is dy · Wᵀ
// scattered back by col2im, and the filter gradient is colᵀ · dy.
internal sealed partial class CpuBackend
{
    /// <summary>
    /// Largest im2col block (elements) a worker builds at once; more batch entries are done in turns. Settable so
    /// tests can exercise the block loop on small problems (any value gives the same results).
    /// </summary>
    internal static long ConvolutionWorkspaceBudget { get; set; } = 1 << 21;

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
        plan.ForEachBatchRange((first, end) =>
        {
            var col = plan.IsPointwise ? null : ConvolutionWorkspace<T>.Take(plan.ColumnsLength(end - first));
            fixed (T* px = x, pw = w, py = y, pcol = col)
            {
                for (int n = first; n < end; n += plan.ChunkEntries)
                {
                    int count = Math.Min(plan.ChunkEntries, end - n);
                    T* a = px + n * plan.InputStride;
                    if (!plan.IsPointwise)
                    {
                        for (int i = 0; i < count; i++) plan.Im2Col(a + i * plan.InputStride, pcol + i * plan.ColumnStride);
                        a = pcol;
                    }
                    ConvolutionGemm(plan, false, false, count * plan.Positions, plan.OutputChannels, plan.ColumnWidth,
                        a, plan.ColumnWidth, pw, plan.OutputChannels, false, py + n * plan.OutputStride, plan.OutputChannels);
                }
            }
            ConvolutionWorkspace<T>.Return(col);
        });
    }

    private static unsafe void ConvolutionData<T>(ConvolutionPlan plan, T[] dy, T[] w, T[] dx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        plan.ForEachBatchRange((first, end) =>
        {
            var col = plan.IsPointwise ? null : ConvolutionWorkspace<T>.Take(plan.ColumnsLength(end - first));
            fixed (T* pdy = dy, pw = w, pdx = dx, pcol = col)
            {
                for (int n = first; n < end; n += plan.ChunkEntries)
                {
                    int count = Math.Min(plan.ChunkEntries, end - n);
                    T* g = pdy + n * plan.OutputStride;
                    T* d = pdx + n * plan.InputStride;
                    if (plan.IsPointwise)
                    {
                        ConvolutionGemm(plan, false, true, count * plan.Positions, plan.InputChannels, plan.OutputChannels,
                            g, plan.OutputChannels, pw, plan.OutputChannels, false, d, plan.InputChannels);
                        continue;
                    }
                    ConvolutionGemm(plan, false, true, count * plan.Positions, plan.ColumnWidth, plan.OutputChannels,
                        g, plan.OutputChannels, pw, plan.OutputChannels, false, pcol, plan.ColumnWidth);
                    for (int i = 0; i < count; i++)
                    {
                        new Span<T>(d + i * plan.InputStride, (int)plan.InputStride).Clear();
                        plan.Col2Im(pcol + i * plan.ColumnStride, d + i * plan.InputStride);
                    }
                }
            }
            ConvolutionWorkspace<T>.Return(col);
        });
    }

    private static unsafe void ConvolutionFilter<T>(ConvolutionPlan plan, T[] x, T[] dy, T[] dw) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int workers = plan.Workers;
        // Each worker sums its share of the batch into its own buffer; the first worker writes straight to the result.
        var partials = new T[workers][];
        partials[0] = dw;
        for (int c = 1; c < workers; c++) partials[c] = new T[dw.Length];
        plan.ForEachBatchRange((first, end, worker) =>
        {
            var target = partials[worker];
            if (first == end)
            {
                Array.Clear(target);
                return;
            }
            var col = plan.IsPointwise ? null : ConvolutionWorkspace<T>.Take(plan.ColumnsLength(end - first));
            fixed (T* px = x, pdy = dy, pt = target, pcol = col)
            {
                for (int n = first; n < end; n += plan.ChunkEntries)
                {
                    int count = Math.Min(plan.ChunkEntries, end - n);
                    T* a = px + n * plan.InputStride;
                    if (!plan.IsPointwise)
                    {
                        for (int i = 0; i < count; i++) plan.Im2Col(a + i * plan.InputStride, pcol + i * plan.ColumnStride);
                        a = pcol;
                    }
                    ConvolutionGemm(plan, true, false, plan.ColumnWidth, plan.OutputChannels, count * plan.Positions,
                        a, plan.ColumnWidth, pdy + n * plan.OutputStride, plan.OutputChannels, n != first, pt, plan.OutputChannels);
                }
            }
            ConvolutionWorkspace<T>.Return(col);
        });
        for (int c = 1; c < workers; c++) TensorPrimitives.Add<T>(dw, partials[c], dw);
    }

    /// <summary>
    /// <c>c = op(a)·op(b)</c>, or <c>c += op(a)·op(b)</c> when <paramref name="accumulate"/>, through the shared GEMM
    /// with the plan's share of the cores (batch workers already run in parallel, so each GEMM gets fewer threads).
    /// </summary>
    private static unsafe void ConvolutionGemm<T>(ConvolutionPlan plan, bool transposeA, bool transposeB, int m, int n, int k,
        T* a, int lda, T* b, int ldb, bool accumulate, T* c, int ldc) where T : unmanaged
    {
        if (m == 0 || n == 0) return;
        if (typeof(T) == typeof(float))
            Gemm.Sgemm(GemmPath.Auto, plan.GemmThreads, transposeA, transposeB, m, n, k, 1f, (float*)a, lda, (float*)b, ldb, accumulate ? 1f : 0f, (float*)c, ldc);
        else
            Gemm.Dgemm(GemmPath.Auto, plan.GemmThreads, transposeA, transposeB, m, n, k, 1.0, (double*)a, lda, (double*)b, ldb, accumulate ? 1.0 : 0.0, (double*)c, ldc);
    }

    /// <summary>
    /// A per-thread im2col buffer kept between calls, so steady-state training allocates no large arrays. A worker
    /// takes it for the duration of its block and gives it back, so a nested use on the same thread gets its own.
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
    /// axes with kernel 1, stride 1 and no padding), with the strides and block sizes the kernels use.
    /// </summary>
    private sealed unsafe class ConvolutionPlan
    {
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
            long positions = (long)_out[0] * _out[1] * _out[2];
            long width = (long)_kernel[0] * _kernel[1] * _kernel[2] * InputChannels;
            if (positions * Math.Max(width, Math.Max(OutputChannels, InputChannels)) > int.MaxValue)
                throw new NotSupportedException($"Convolution {g}: one example's im2col matrix ({positions} × {width}) exceeds the CPU backend's limit of {int.MaxValue} elements.");
            Positions = (int)positions;
            ColumnWidth = (int)width;
            InputStride = (long)_in[0] * _in[1] * _in[2] * InputChannels;
            OutputStride = positions * OutputChannels;
            ColumnStride = positions * width;
            IsPointwise = width == InputChannels && _stride.All(s => s == 1) && g.PaddingBefore.All(p => p == 0) && g.PaddingAfter.All(p => p == 0);
            // A pointwise convolution needs no workspace, so its only limit is GEMM's int-sized dimensions.
            long perEntry = IsPointwise ? positions * Math.Max(InputChannels, OutputChannels) : ColumnStride;
            long budget = IsPointwise ? int.MaxValue : ConvolutionWorkspaceBudget;
            ChunkEntries = (int)Math.Clamp(budget / Math.Max(1, perEntry), 1, Math.Max(1, Batch));
            long work = Batch * ColumnStride * OutputChannels;
            Workers = work >= ConvolutionParallelThreshold ? Math.Max(1, Math.Min(Environment.ProcessorCount, Batch)) : 1;
            GemmThreads = Math.Max(1, Gemm.MaxThreads / Workers);
        }

        public int Batch { get; }

        public int InputChannels { get; }

        public int OutputChannels { get; }

        /// <summary>Output positions per example (rows of one example's im2col matrix).</summary>
        public int Positions { get; }

        /// <summary>Kernel taps × input channels (columns of the im2col matrix, rows of the flattened kernel).</summary>
        public int ColumnWidth { get; }

        public long InputStride { get; }

        public long OutputStride { get; }

        public long ColumnStride { get; }

        /// <summary>A 1×…×1 kernel with stride 1 and no padding: the input already is the im2col matrix.</summary>
        public bool IsPointwise { get; }

        /// <summary>Examples whose im2col matrices are built and multiplied together.</summary>
        public int ChunkEntries { get; }

        /// <summary>Threads the batch is split across.</summary>
        public int Workers { get; }

        /// <summary>Threads each worker's GEMM may use.</summary>
        public int GemmThreads { get; }

        public long ColumnsLength(int entries) => Math.Min(entries, ChunkEntries) * ColumnStride;

        public void ForEachBatchRange(Action<int, int> body) => ForEachBatchRange((first, end, _) => body(first, end));

        /// <summary>Runs <paramref name="body"/>(first, end, worker) over <see cref="Workers"/> contiguous batch ranges.</summary>
        public void ForEachBatchRange(Action<int, int, int> body)
        {
            if (Workers == 1)
            {
                body(0, Batch, 0);
                return;
            }
            Parallel.For(0, Workers, c => body((int)((long)Batch * c / Workers), (int)((long)Batch * (c + 1) / Workers), c));
        }

        /// <summary>Writes one example's im2col matrix (<see cref="Positions"/> × <see cref="ColumnWidth"/>); taps in the padding read zero.</summary>
        public void Im2Col<T>(T* x, T* col) where T : unmanaged => Walk(x, col, gather: true);

        /// <summary>Adds one example's im2col-shaped gradient back onto the input positions it was read from.</summary>
        public void Col2Im<T>(T* col, T* dx) where T : unmanaged => Walk(dx, col, gather: false);

        private void Walk<T>(T* image, T* col, bool gather) where T : unmanaged
        {
            int channels = InputChannels;
            T* row = col;
            for (int od = 0; od < _out[0]; od++)
                for (int oh = 0; oh < _out[1]; oh++)
                    for (int ow = 0; ow < _out[2]; ow++)
                    {
                        int d0 = od * _stride[0] - _pad[0], h0 = oh * _stride[1] - _pad[1], w0 = ow * _stride[2] - _pad[2];
                        T* tap = row;
                        for (int kd = 0; kd < _kernel[0]; kd++)
                        {
                            int id = d0 + kd * _dilation[0];
                            bool insideD = (uint)id < (uint)_in[0];
                            for (int kh = 0; kh < _kernel[1]; kh++)
                            {
                                int ih = h0 + kh * _dilation[1];
                                bool insideDH = insideD && (uint)ih < (uint)_in[1];
                                for (int kw = 0; kw < _kernel[2]; kw++, tap += channels)
                                {
                                    int iw = w0 + kw * _dilation[2];
                                    if (insideDH && (uint)iw < (uint)_in[2])
                                    {
                                        T* pixel = image + (((long)id * _in[1] + ih) * _in[2] + iw) * channels;
                                        if (gather) new ReadOnlySpan<T>(pixel, channels).CopyTo(new Span<T>(tap, channels));
                                        else AddInto(new Span<T>(pixel, channels), new ReadOnlySpan<T>(tap, channels));
                                    }
                                    else if (gather)
                                    {
                                        new Span<T>(tap, channels).Clear();
                                    }
                                }
                            }
                        }
                        row += ColumnWidth;
                    }
        }

        private static void AddInto<T>(Span<T> destination, ReadOnlySpan<T> source) where T : unmanaged
        {
            if (typeof(T) == typeof(float))
            {
                var d = System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(destination);
                TensorPrimitives.Add(d, System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(source), d);
            }
            else
            {
                var d = System.Runtime.InteropServices.MemoryMarshal.Cast<T, double>(destination);
                TensorPrimitives.Add(d, System.Runtime.InteropServices.MemoryMarshal.Cast<T, double>(source), d);
            }
        }
    }
}
