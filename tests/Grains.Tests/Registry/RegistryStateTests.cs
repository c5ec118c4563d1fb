using FleetPods.Grains.Registry;

namespace FleetPods.Grains.Tests.Registry;

/// <summary>A registry shard's stored keys: packed into one string now, still read from the set stored before.</summary>
public sealed class RegistryStateTests
{
    [Fact]
    public void Keys_stored_as_a_set_before_packing_are_read()
    {
        var stored = new RegistryState { Keys = new HashSet<string>(["b", "a"], StringComparer.Ordinal) };

        Assert.Equal(["a", "b"], stored.Read().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Packed_keys_are_read_and_an_empty_packing_is_no_key()
    {
        Assert.Equal(["a", "b c", "d"], new RegistryState { Packed = "a\nb c\nd" }.Read());
        Assert.Empty(new RegistryState { Packed = "" }.Read());
    }
}
