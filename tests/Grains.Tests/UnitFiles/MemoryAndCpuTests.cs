namespace FleetPods.Grains.Tests.UnitFiles;

public sealed class MemoryAndCpuTests
{
    [Theory]
    [InlineData("1", 1L)]
    [InlineData("4096", 4096L)]
    [InlineData("1K", 1024L)]
    [InlineData("256M", 268435456L)]
    [InlineData("2G", 2147483648L)]
    [InlineData("1T", 1099511627776L)]
    [InlineData("64Ki", 65536L)]
    [InlineData("256Mi", 268435456L)]
    [InlineData("2Gi", 2147483648L)]
    [InlineData("1Ti", 1099511627776L)]
    [InlineData("1.5G", 1610612736L)]
    [InlineData("0.5K", 512L)]
    [InlineData("1.0001K", 1024L)]
    [InlineData("8191T", 9006099743113216L)]
    public void Memory_takes_bytes_or_a_power_of_1024_suffix(string value, long bytes)
    {
        Assert.Equal(bytes, UnitText.ParsePod($"Memory={value}").MemoryBytes);
    }

    [Theory]
    [InlineData("lots", "invalid size 'lots' (expected e.g. 256M)")]
    [InlineData("256m", "upper case")]
    [InlineData("1g", "upper case")]
    [InlineData("256MB", "invalid size")]
    [InlineData("M", "invalid size")]
    [InlineData("-1M", "invalid size")]
    [InlineData("+1M", "invalid size")]
    [InlineData(".5G", "invalid size")]
    [InlineData("1e9", "invalid size")]
    [InlineData("1,5G", "invalid size")]
    [InlineData("1 G", "invalid size")]
    [InlineData("0", "at least one byte")]
    [InlineData("0.1", "at least one byte")]
    [InlineData("9000000T", "too large")]
    [InlineData("9223372036854775808", "too large")]
    [InlineData("99999999999999999999999999999999999", "invalid size")]
    public void A_bad_Memory_is_an_error(string value, string messagePart)
    {
        UnitText.PodLineError($"Memory={value}", "Memory", messagePart);
    }

    [Theory]
    [InlineData("500m", 500)]
    [InlineData("1m", 1)]
    [InlineData("0.5", 500)]
    [InlineData("2", 2000)]
    [InlineData("1.25", 1250)]
    [InlineData("0.001", 1)]
    [InlineData("64", 64000)]
    public void CPU_takes_millicpus_or_cpus(string value, int millis)
    {
        Assert.Equal(millis, UnitText.ParsePod($"CPU={value}").CpuMillis);
    }

    [Theory]
    [InlineData("many", "invalid CPU 'many' (expected e.g. 500m, 0.5 or 2)")]
    [InlineData("0.5m", "invalid CPU")]
    [InlineData("-1", "invalid CPU")]
    [InlineData("50%", "invalid CPU")]
    [InlineData("m", "invalid CPU")]
    [InlineData("500M", "invalid CPU")]
    [InlineData("0.0005", "finer than 1m")]
    [InlineData("0", "out of range")]
    [InlineData("0m", "out of range")]
    [InlineData("9999999", "out of range")]
    public void A_bad_CPU_is_an_error(string value, string messagePart)
    {
        UnitText.PodLineError($"CPU={value}", "CPU", messagePart);
    }
}
