using PublicApiGenerator;

namespace FleetPods.Grains.Tests.PublicApi;

/// <summary>
/// The grain interfaces and contracts are the public .NET client API; any change to them must show up as a
/// diff of the approved file, so it is made on purpose.
/// </summary>
public sealed class ClientApiTests
{
    private static readonly string Approved = RepositoryRoot.Combine("tests/Grains.Tests/PublicApi/FleetPods.Grains.Abstractions.approved.txt");

    [Fact]
    public void The_client_api_is_the_approved_one()
    {
        // Orleans' generated codecs are public but are not our API.
        var api = typeof(IUnitGrain).Assembly.GeneratePublicApi(new ApiGeneratorOptions
        {
            DenyNamespacePrefixes = ["OrleansCodeGen"],
            IncludeAssemblyAttributes = false,
        });

        var approved = File.Exists(Approved) ? File.ReadAllText(Approved) : "";
        if (approved != api)
        {
            File.WriteAllText(Path.ChangeExtension(Approved, ".received.txt"), api);
        }

        Assert.True(approved == api, $"The client API changed; if that is intended, replace {Approved} with the .received.txt beside it.");
    }
}
