using FleetPods.Silo.Security;

namespace FleetPods.Silo.Tests.Postgres;

/// <summary>
/// The certificates the test silos and their clients share, made once per run as the single-machine daemon makes
/// its own at first start: a CA, a node certificate and an admin certificate in a temporary PKI directory.
/// </summary>
internal static class TestCredentials
{
    private static readonly Lazy<NodeCredentials> Instance = new(() => NodeCredentials.Load(
        new DaemonOptions(Directory.CreateTempSubdirectory("fleetpods-silo-tests-").FullName, "silo-tests", new Dictionary<string, string>(), 0, 0)));

    public static NodeCredentials Node => Instance.Value;
}
