using FleetPods.Silo.Storage;
using FleetPods.Silo.Tests.Postgres;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace FleetPods.Silo.Tests.Storage;

/// <summary>
/// One real database of either engine, schema applied, with two grain storages on it: fleetpodsd's
/// <see cref="BatchedGrainStorage"/> and Orleans' own ADO.NET provider, which wrote every database before it.
/// </summary>
internal sealed class StateStorages : IAsyncDisposable
{
    public const string ServiceId = "fleetpods-storage-test";

    private readonly Func<Task> dispose;

    private StateStorages(IGrainStateTable table, string invariant, string connectionString, Func<Task> dispose)
    {
        this.dispose = dispose;
        var services = new ServiceCollection().AddSerializer(b => b.AddAssembly(typeof(Note).Assembly)).BuildServiceProvider();
        var activators = services.GetRequiredService<IActivatorProvider>();
        Table = table;
        Batched = new BatchedGrainStorage(table, services.GetRequiredService<Serializer>(), activators, ServiceId, "fleetpods");
        Orleans = new AdoNetGrainStorage(
            activators,
            NullLogger<AdoNetGrainStorage>.Instance,
            Options.Create(new AdoNetGrainStorageOptions { Invariant = invariant, ConnectionString = connectionString, GrainStorageSerializer = new OrleansGrainStorageSerializer(services.GetRequiredService<Serializer>()) }),
            Options.Create(new ClusterOptions { ClusterId = ServiceId, ServiceId = ServiceId }),
            "orleans");
    }

    public static IEnumerable<object[]> Engines => [["sqlite"], ["postgresql"]];

    public IGrainStateTable Table { get; }

    public IGrainStorage Batched { get; }

    /// <summary>Orleans' provider, started (its queries read from the schema) by <see cref="Open"/>.</summary>
    public AdoNetGrainStorage Orleans { get; }

    public static async Task<StateStorages> Open(string engine)
    {
        StateStorages storages;
        if (engine == "sqlite")
        {
            var directory = Directory.CreateTempSubdirectory("fleetpods-state-").FullName;
            var path = Path.Combine(directory, "state.db");
            SqliteStateDatabase.EnsureCreated(path);
            var connectionString = SqliteStateDatabase.ConnectionString(path);
            storages = new StateStorages(new SqliteGrainStateTable(connectionString, ServiceId), "System.Data.SQLite", connectionString, () =>
            {
                SqliteConnection.ClearAllPools();
                Directory.Delete(directory, recursive: true);
                return Task.CompletedTask;
            });
        }
        else
        {
            var database = new PostgresDatabase();
            await database.InitializeAsync();
            storages = new StateStorages(new PostgresGrainStateTable(database.ConnectionString, ServiceId), "Npgsql", database.ConnectionString, database.DisposeAsync);
        }

        var lifecycle = new StartingLifecycle();
        storages.Orleans.Participate(lifecycle);
        await lifecycle.Start();
        return storages;
    }

    public async ValueTask DisposeAsync() => await dispose();

    // Only what Orleans' provider needs of a silo's lifecycle: its start, which reads its queries from the database.
    private sealed class StartingLifecycle : ISiloLifecycle
    {
        private readonly List<ILifecycleObserver> observers = [];

        public int HighestCompletedStage => 0;

        public int LowestStoppedStage => 0;

        public IDisposable Subscribe(string observerName, int stage, ILifecycleObserver observer)
        {
            observers.Add(observer);
            return new CancellationTokenSource();
        }

        public async Task Start()
        {
            foreach (var observer in observers)
            {
                await observer.OnStart(CancellationToken.None);
            }
        }
    }
}
