using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using FleetPods.Cli.Native;
using FleetPods.Cli.Native.Addressing;
using FleetPods.Cli.Native.Api;
using FleetPods.Security;

namespace FleetPods.Cli.Tests;

/// <summary>
/// The HTTPS path end to end against a test double of a daemon (a TLS listener with a node certificate that requires
/// a client certificate): the command presents its certificate and reads the answer; another CA's server is refused.
/// </summary>
public sealed class HttpsClientTests : IDisposable
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private readonly string directory = Directory.CreateTempSubdirectory("fleetpods-https-").FullName;
    private readonly CertificateAuthority cluster = CertificateAuthority.Create(Now);

    [Fact]
    public async Task The_client_presents_its_certificate_and_reads_the_answer()
    {
        using var node = cluster.Issue(new CertificateIdentity("n1", CertificateKind.Node), ["localhost"], [IPAddress.Loopback], Now, TimeSpan.FromDays(1));
        var presented = new TaskCompletionSource<string?>();
        var port = Serve(node, cluster.Certificate, presented);

        var (api, _) = await ApiConnection.Open([ApiEndpoint.Parse($"127.0.0.1:{port}")], Credentials("alice", CertificateKind.Operator), directory, CancellationToken.None);
        using (api)
        {
            var whoami = await api.GetJson("v1/whoami", CancellationToken.None);

            Assert.Equal("n1", whoami.GetProperty("node").GetString());
        }

        Assert.Equal("CN=alice, OU=operator", await presented.Task);
    }

    [Fact]
    public async Task A_server_of_another_ca_is_refused_with_one_line()
    {
        using var impostorCa = CertificateAuthority.Create(Now);
        using var impostor = impostorCa.Issue(new CertificateIdentity("n1", CertificateKind.Node), ["localhost"], [IPAddress.Loopback], Now, TimeSpan.FromDays(1));
        var port = Serve(impostor, impostorCa.Certificate, new TaskCompletionSource<string?>());

        var (api, check) = await ApiConnection.Open([ApiEndpoint.Parse($"127.0.0.1:{port}")], Credentials("alice", CertificateKind.Operator), directory, CancellationToken.None);
        using (api)
        {
            var error = await Assert.ThrowsAsync<HttpRequestException>(() => api.GetJson("v1/whoami", CancellationToken.None));

            Assert.Contains("is not a server certificate of the cluster CA", CommandRunner.Describe(error, api.Address, check), StringComparison.Ordinal);
        }
    }

    public void Dispose()
    {
        cluster.Dispose();
        Directory.Delete(directory, recursive: true);
    }

    private ClientCredentials Credentials(string name, CertificateKind kind)
    {
        using var client = cluster.Issue(new CertificateIdentity(name, kind), [], [], Now, TimeSpan.FromDays(1));
        var certificate = Path.Combine(directory, $"{name}.crt");
        var key = Path.Combine(directory, $"{name}.key");
        var authority = Path.Combine(directory, "ca.crt");
        File.WriteAllText(certificate, client.ExportCertificatePem());
        File.WriteAllText(key, client.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(authority, cluster.Certificate.ExportCertificatePem());
        return new ClientCredentials(certificate, key, authority);
    }

    // One connection at a time: TLS with a required client certificate, then one HTTP/1.1 answer, whatever was asked.
    private static int Serve(X509Certificate2 certificate, X509Certificate2 authority, TaskCompletionSource<string?> presented)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        _ = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    using var connection = await listener.AcceptTcpClientAsync();
                    await using var tls = new SslStream(connection.GetStream(), false, (_, client, _, _) => IssuedBy(authority, client));
                    try
                    {
                        await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate, ClientCertificateRequired = true });
                    }
                    catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException)
                    {
                        continue;
                    }

                    presented.TrySetResult(tls.RemoteCertificate?.Subject);
                    var buffer = new byte[4096];
                    _ = await tls.ReadAsync(buffer);
                    var body = """{"name":"alice","role":"operator","node":"n1"}""";
                    await tls.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}"));
                }
            }
            catch (ObjectDisposedException)
            {
                // The test is over.
            }
        });
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool IssuedBy(X509Certificate2 authority, X509Certificate? presented)
    {
        if (presented is null)
        {
            return false;
        }

        using var certificate = X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }
}
