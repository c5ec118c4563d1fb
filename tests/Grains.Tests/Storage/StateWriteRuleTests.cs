using FleetPods.Grains.Storage;
using Microsoft.Data.Sqlite;
using Npgsql;
using Orleans.Storage;

namespace FleetPods.Grains.Tests.Storage;

/// <summary>
/// The rule every grain writes its state by: passing storage faults are retried, anything else (or a fault that
/// does not pass) reloads the stored state and fails with an exception every silo can carry, so a grain never
/// goes on with state that was not saved.
/// </summary>
public sealed class StateWriteRuleTests
{
    private static readonly Polly.ResiliencePipeline NoWait = StateWriteRule.RetryPipeline(TimeSpan.Zero);

    public static TheoryData<string> Transient => new() { "53300", "57P01" };

    [Theory]
    [MemberData(nameof(Transient))]
    public async Task A_write_that_postgres_refuses_for_a_passing_reason_is_tried_again_and_saved(string sqlState)
    {
        var state = new FailingState("old", Wrapped(Postgres(sqlState)), Wrapped(Postgres(sqlState))) { State = "new" };

        await Save(state);

        Assert.Equal(("new", "new", 3, 0), (state.State, state.Stored, state.Writes, state.Reads));
    }

    [Fact]
    public async Task A_write_that_meets_a_busy_or_locked_sqlite_is_tried_again_and_saved()
    {
        var state = new FailingState("old", Wrapped(new SqliteException("database is locked", SQLitePCL.raw.SQLITE_BUSY)), Wrapped(new SqliteException("locked", SQLitePCL.raw.SQLITE_LOCKED))) { State = "new" };

        await Save(state);

        Assert.Equal(("new", 3), (state.Stored, state.Writes));
    }

    [Fact]
    public async Task A_write_whose_connection_broke_is_tried_again_and_saved()
    {
        var state = new FailingState("old", Wrapped(new NpgsqlException("Exception while reading from stream", new IOException("connection reset")))) { State = "new" };

        await Save(state);

        Assert.Equal(("new", 2), (state.Stored, state.Writes));
    }

    [Fact]
    public async Task A_write_that_keeps_failing_reloads_the_stored_state_and_fails()
    {
        var state = new FailingState("old", [.. Enumerable.Range(0, 6).Select(_ => Wrapped(Postgres(PostgresErrorCodes.TooManyConnections)))]) { State = "new" };

        var failure = await Assert.ThrowsAsync<FleetPodsException>(() => Save(state));

        Assert.Contains("could not save", failure.Message, StringComparison.Ordinal);
        Assert.Equal(("old", "old", 6, 1), (state.State, state.Stored, state.Writes, state.Reads));
    }

    [Fact]
    public async Task An_etag_conflict_is_not_tried_again_the_state_is_reloaded_and_the_call_fails()
    {
        var state = new FailingState("theirs", new InconsistentStateException("version conflict")) { State = "mine" };

        var failure = await Assert.ThrowsAsync<FleetPodsException>(() => Save(state));

        Assert.Contains("changed meanwhile", failure.Message, StringComparison.Ordinal);

        Assert.Equal(("theirs", 1, 1), (state.State, state.Writes, state.Reads));
    }

    [Fact]
    public async Task A_fault_that_does_not_pass_is_not_tried_again_and_the_state_is_reloaded()
    {
        var state = new FailingState("old", Wrapped(Postgres(PostgresErrorCodes.UndefinedTable))) { State = "new" };

        await Assert.ThrowsAsync<FleetPodsException>(() => Save(state));

        Assert.Equal(("old", 1, 1), (state.State, state.Writes, state.Reads));
    }

    [Fact]
    public async Task When_even_the_reload_fails_the_activation_is_abandoned()
    {
        var state = new FailingState("old", Wrapped(Postgres(PostgresErrorCodes.UndefinedTable))) { State = "new" };
        state.ReadFailures.Enqueue(Wrapped(Postgres(PostgresErrorCodes.TooManyConnections)));
        var abandoned = false;

        await Assert.ThrowsAsync<FleetPodsException>(() => StateWriteRule.Run(state, state.WriteStateAsync, NoWait, () => abandoned = true));

        Assert.True(abandoned);
    }

    private static Task Save(FailingState state) => StateWriteRule.Run(state, state.WriteStateAsync, NoWait, () => Assert.Fail("the activation was abandoned"));

    private static PostgresException Postgres(string sqlState) => new("refused", "FATAL", "FATAL", sqlState);

    // As Orleans' storage bridge hands a provider's exception to the grain.
    private static OrleansException Wrapped(Exception inner) => new("Error from storage provider AdoNetGrainStorage during WriteStateAsync", inner);
}
