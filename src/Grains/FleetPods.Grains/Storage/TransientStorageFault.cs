using Microsoft.Data.Sqlite;
using Npgsql;
using Orleans.Storage;
using SQLitePCL;

namespace FleetPods.Grains.Storage;

/// <summary>
/// Which storage failures pass by themselves and are worth a second try, decided on the exception's type and
/// the database's own code. Orleans wraps the provider's exception, so the whole chain of inner exceptions is read.
/// </summary>
internal static class TransientStorageFault
{
    // Named here even where Npgsql's IsTransient already covers them: these are the ones a busy cluster meets.
    private static readonly HashSet<string> PostgresStates = new(StringComparer.Ordinal)
    {
        PostgresErrorCodes.TooManyConnections,
        PostgresErrorCodes.AdminShutdown,
        PostgresErrorCodes.CrashShutdown,
        PostgresErrorCodes.CannotConnectNow,
        PostgresErrorCodes.SerializationFailure,
        PostgresErrorCodes.DeadlockDetected,
    };

    public static bool Is(Exception exception)
    {
        var chain = Chain(exception).ToList();

        // Someone else wrote the state since it was read: trying the same write again cannot succeed.
        if (chain.Exists(e => e is InconsistentStateException))
        {
            return false;
        }

        return chain.Exists(e => e switch
        {
            PostgresException postgres => postgres.IsTransient || PostgresStates.Contains(postgres.SqlState),
            NpgsqlException npgsql => npgsql.IsTransient,
            SqliteException sqlite => sqlite.SqliteErrorCode is raw.SQLITE_BUSY or raw.SQLITE_LOCKED,
            _ => false,
        });
    }

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        yield return exception;
        var inner = exception is AggregateException aggregate ? aggregate.InnerExceptions : exception.InnerException is { } one ? [one] : [];
        foreach (var next in inner.SelectMany(Chain))
        {
            yield return next;
        }
    }
}
