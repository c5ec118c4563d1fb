using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using FleetPods.Security;

namespace FleetPods.EndToEnd.Tests;

/// <summary>A TLS client of a cluster port that presents a certificate the server must refuse.</summary>
internal static class RefusedTlsClient
{
    /// <summary>Presents <paramref name="certificate"/> to <paramref name="port"/>: the server ends the connection.</summary>
    public static async Task AssertRefused(int port, X509Certificate2 certificate, PkiDirectory authority, TimeSpan within)
    {
        using var trust = ClusterTrust.Load(authority);
        using var socket = new TcpClient();
        await socket.ConnectAsync("127.0.0.1", port);
        await using var tls = new SslStream(socket.GetStream());
        using var deadline = new CancellationTokenSource(within);
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                // Chosen by us, not by the library's filters: the server is the one that must refuse it.
                LocalCertificateSelectionCallback = (_, _, _, _, _) => certificate,
                RemoteCertificateValidationCallback = (_, server, _, _) => server is X509Certificate2 node && trust.Identify(node, out _)?.Kind == CertificateKind.Node,
            }, deadline.Token);
            // TLS 1.3: the server judges the client's certificate after the client's side of the handshake is done.
            Assert.Equal(0, await tls.ReadAsync(new byte[1], deadline.Token));
        }
        catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException)
        {
            // Refused during the handshake.
        }
    }
}
