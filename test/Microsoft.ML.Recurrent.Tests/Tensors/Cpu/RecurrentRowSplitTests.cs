using Microsoft.ML.Recurrent.Tensors.Cpu;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Tensors.Cpu;

public sealed class RecurrentRowSplitTests
{
    [Fact]
    public void An_even_split_falls_on_whole_row_groups_and_the_tail_stays_with_the_last_part()
    {
        var split = new RecurrentRowSplit();

        split.Reset(batch: 37, parts: 2, group: 4);

        Assert.Equal((0, 20), (split.Start(0), split.End(0)));
        Assert.Equal((20, 37), (split.Start(1), split.End(1)));
    }

    [Fact]
    public void Rows_move_to_the_part_that_ran_faster()
    {
        var split = new RecurrentRowSplit();
        split.Reset(batch: 64, parts: 2, group: 4);

        // Part 1 took three times as long for the same 32 rows: it gets a quarter of the batch.
        split.Record(0, 1000);
        split.Record(1, 3000);
        split.Rebalance();
        Assert.Equal(48, split.End(0));

        // Both now run 0.1 rows per tick: the rows split evenly again.
        split.Record(0, 480);
        split.Record(1, 160);
        split.Rebalance();
        Assert.Equal(32, split.End(0));
    }

    [Fact]
    public void Three_parts_share_the_rows_by_their_speeds()
    {
        var split = new RecurrentRowSplit();
        split.Reset(batch: 48, parts: 3, group: 4);
        Assert.Equal([0, 16, 32, 48], Bounds(split));

        // The third part took twice as long for its 16 rows: shares 0.4, 0.4, 0.2 of 48 rows, in whole groups.
        split.Record(0, 1000);
        split.Record(1, 1000);
        split.Record(2, 2000);
        split.Rebalance();

        Assert.Equal([0, 20, 40, 48], Bounds(split));
    }

    private static int[] Bounds(RecurrentRowSplit split) =>
        [.. Enumerable.Range(0, split.Parts).Select(split.Start), split.End(split.Parts - 1)];

    [Fact]
    public void Every_part_keeps_at_least_one_group_and_the_last_part_its_tail()
    {
        var split = new RecurrentRowSplit();
        split.Reset(batch: 37, parts: 2, group: 4);

        split.Record(0, 1);
        split.Record(1, 1_000_000);
        split.Rebalance();
        Assert.Equal(32, split.End(0)); // part 1 keeps rows 32..35 and the tail row 36

        split.Record(0, 1_000_000);
        split.Record(1, 1);
        split.Rebalance();
        Assert.Equal(4, split.End(0));
    }

    [Fact]
    public void The_split_is_kept_for_the_same_shape_and_made_anew_for_another()
    {
        var split = new RecurrentRowSplit();
        split.Reset(batch: 64, parts: 2, group: 4);
        split.Record(0, 1000);
        split.Record(1, 3000);
        split.Rebalance();

        split.Reset(batch: 64, parts: 2, group: 4);
        Assert.Equal(48, split.End(0));

        split.Reset(batch: 64, parts: 2, group: 6);
        Assert.Equal(30, split.End(0));
    }

    [Fact]
    public void A_batch_too_small_to_move_whole_groups_keeps_its_even_split()
    {
        var split = new RecurrentRowSplit();
        split.Reset(batch: 10, parts: 2, group: 4);
        Assert.Equal(5, split.End(0));

        split.Record(0, 1);
        split.Record(1, 1_000_000);
        split.Rebalance();

        Assert.Equal(5, split.End(0));
    }
}
