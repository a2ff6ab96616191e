using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Tensors.Cpu;

/// <summary>
/// Test classes that set the process-wide <c>Gemm.MaxThreads</c> or <c>RecurrentLoopPlan.SegmentFlops</c> and assert
/// on the split they give: one collection, so they never run at the same time as each other.
/// </summary>
[CollectionDefinition(nameof(GemmThreadSettingsCollection))]
public sealed class GemmThreadSettingsCollection
{
}
