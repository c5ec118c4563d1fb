using FleetPods.Grains.UnitFiles;

namespace FleetPods.Grains.Tests.UnitFiles;

public sealed class PortTests
{
    [Theory]
    [InlineData("http:80/tcp", "http", 80, 80, PortProtocol.Tcp)]
    [InlineData("http-alt:8080:80/tcp", "http-alt", 8080, 80, PortProtocol.Tcp)]
    [InlineData("dns:53/udp", "dns", 53, 53, PortProtocol.Udp)]
    [InlineData("p1:1:65535/udp", "p1", 1, 65535, PortProtocol.Udp)]
    public void Port_forwards_a_host_port_to_a_pod_port(string value, string name, int hostPort, int podPort, PortProtocol protocol)
    {
        Assert.Equal(new PortSpec(name, hostPort, podPort, protocol), Assert.Single(UnitText.ParsePod($"Port={value}").Ports));
    }

    [Fact]
    public void Ports_are_repeatable_and_an_empty_assignment_resets_them()
    {
        var pod = UnitText.ParsePod("Port=old:81/tcp", "Port=", "Port=http:80/tcp", "Port=dns:53/udp", "Port=dns-tcp:53/tcp");

        Assert.Equal(["http", "dns", "dns-tcp"], pod.Ports.Select(p => p.Name));
    }

    [Theory]
    [InlineData("http:80", "has no protocol")]
    [InlineData("http:80/sctp", "invalid value 'sctp' (expected one of: tcp, udp)")]
    [InlineData("http:80/TCP", "expected one of: tcp, udp")]
    [InlineData("80/tcp", "invalid port")]
    [InlineData("http:1:2:3/tcp", "invalid port")]
    [InlineData("HTTP:80/tcp", "invalid port name 'HTTP'")]
    [InlineData(":80/tcp", "invalid port name ''")]
    [InlineData("http:0/tcp", "out of range")]
    [InlineData("http:65536/tcp", "out of range")]
    [InlineData("http:80:0/tcp", "out of range")]
    [InlineData("http:99999999999/tcp", "invalid port number")]
    [InlineData("http:-1/tcp", "invalid port number")]
    [InlineData("http:eighty/tcp", "invalid port number 'eighty'")]
    [InlineData("http::80/tcp", "invalid port number ''")]
    public void A_bad_Port_is_an_error(string value, string messagePart)
    {
        UnitText.PodLineError($"Port={value}", "Port", messagePart);
    }

    [Fact]
    public void A_port_name_used_twice_is_an_error_on_the_second()
    {
        UnitText.SingleError(UnitText.Pod("Port=http:80/tcp", "Port=http:81/tcp"), UnitText.FirstExtraLine + 1, "Port", "port name 'http' is used twice");
    }

    [Fact]
    public void A_host_port_forwarded_twice_for_one_protocol_is_an_error()
    {
        UnitText.SingleError(UnitText.Pod("Port=a:80/tcp", "Port=b:80:81/tcp"), UnitText.FirstExtraLine + 1, "Port", "already forwarded by port 'a'");
    }
}
