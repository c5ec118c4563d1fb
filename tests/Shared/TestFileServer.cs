using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace FleetPods.Tests;

/// <summary>
/// A loopback web server (Kestrel) serving what a test puts in it: files by path (the query ignored), plain HTTP or
/// HTTPS with a certificate of a <see cref="TestCertificateAuthority"/> for 127.0.0.1 and localhost. It records the
/// requests it was sent; a path it holds nothing for is a 404.
/// </summary>
public sealed class TestFileServer : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, byte[]> files = new(StringComparer.Ordinal);
    private readonly WebApplication app;

    private TestFileServer(WebApplication app, int port, TestCertificateAuthority? ca)
    {
        this.app = app;
        Port = port;
        Ca = ca;
    }

    public int Port { get; }

    /// <summary>The CA of an HTTPS server's certificate; null for plain HTTP.</summary>
    public TestCertificateAuthority? Ca { get; }

    /// <summary>http://127.0.0.1:PORT or https://localhost:PORT.</summary>
    public string Origin => Ca is null ? $"http://127.0.0.1:{Port}" : $"https://localhost:{Port}";

    /// <summary>Every request's path and query, in the order they came.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public static async Task<TestFileServer> Start(bool tls = false)
    {
        var port = TestPorts.Reserve();
        var ca = tls ? TestCertificateAuthority.Create("FleetPods test file server CA") : null;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        X509Certificate2? certificate = null;
        if (ca is not null)
        {
            var directory = Directory.CreateTempSubdirectory("fleetpods-files-tls-").FullName;
            try
            {
                ca.WriteServerCertificate(Path.Combine(directory, "server.crt"), Path.Combine(directory, "server.key"));
                using var pem = X509Certificate2.CreateFromPemFile(Path.Combine(directory, "server.crt"), Path.Combine(directory, "server.key"));
                certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, listen =>
        {
            if (certificate is not null)
            {
                listen.UseHttps(certificate);
            }
        }));
        var app = builder.Build();
        var server = new TestFileServer(app, port, ca);
        app.Run(server.Serve);
        await app.StartAsync();
        return server;
    }

    /// <summary>Serves <paramref name="content"/> at <paramref name="path"/> (starting with '/').</summary>
    public void Put(string path, byte[] content) => files[path] = content;

    public void Remove(string path) => files.TryRemove(path, out _);

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        Ca?.Dispose();
    }

    private async Task Serve(HttpContext context)
    {
        Requests.Enqueue(context.Request.Path + context.Request.QueryString);
        if (!files.TryGetValue(context.Request.Path.Value ?? "", out var content))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        context.Response.ContentLength = content.Length;
        await context.Response.Body.WriteAsync(content, context.RequestAborted);
    }
}
