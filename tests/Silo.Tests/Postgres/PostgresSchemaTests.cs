namespace FleetPods.Silo.Tests.Postgres;

public sealed class PostgresSchemaTests : IAsyncLifetime
{
    // Every key the 10.4.2 providers load; each refuses to start when one is missing.
    private static readonly string[] ProviderQueries =
    [
        "CleanupDefunctSiloEntriesKey", "CleanupDefunctSiloEntryKey", "ClearStorageKey", "DeleteMembershipTableEntriesKey",
        "DeleteReminderRowKey", "DeleteReminderRowsKey", "GatewaysQueryKey", "InsertMembershipKey", "InsertMembershipVersionKey",
        "MembershipReadAllKey", "MembershipReadRowKey", "ReadFromStorageKey", "ReadRangeRows1Key", "ReadRangeRows2Key",
        "ReadReminderRowKey", "ReadReminderRowsKey", "UpdateIAmAlivetimeKey", "UpdateMembershipKey", "UpsertReminderRowKey",
        "WriteToStorageKey",
    ];

    private readonly PostgresDatabase database = new();

    public Task InitializeAsync() => database.InitializeAsync();

    public Task DisposeAsync() => database.DisposeAsync();

    [RequiresFact(Requires.Postgres)]
    public async Task The_schema_is_versioned_applies_again_without_harm_and_holds_every_query_the_providers_read()
    {
        var again = await PostgresClusterDatabase.InitializeAsync(database.ConnectionString);
        await PostgresClusterDatabase.EnsureCurrentAsync(database.ConnectionString);

        Assert.Empty(again);
        Assert.Equal(["1"], await database.Column("SELECT Version FROM FleetPodsSchema ORDER BY Version"));
        Assert.Equal(ProviderQueries.Order(StringComparer.Ordinal), await database.Column("SELECT QueryKey FROM OrleansQuery ORDER BY QueryKey COLLATE \"C\""));
    }

    [RequiresFact(Requires.Postgres)]
    public async Task Concurrent_initializations_apply_each_version_once()
    {
        await database.Scalar<int>("DELETE FROM FleetPodsSchema RETURNING 0");

        var runs = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => PostgresClusterDatabase.InitializeAsync(database.ConnectionString)));

        Assert.Equal([1], runs.SelectMany(applied => applied));
    }

    [RequiresFact(Requires.Postgres)]
    public async Task A_database_without_the_schema_is_refused_with_what_to_do()
    {
        await database.Scalar<int>("DELETE FROM FleetPodsSchema RETURNING 0");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => PostgresClusterDatabase.EnsureCurrentAsync(database.ConnectionString));

        Assert.Contains("run fleetpodsd --init-db", error.Message, StringComparison.Ordinal);
    }
}
