using System.Text.Json;
using FleetPods.Silo.FrontDoor;
using Microsoft.AspNetCore.Http;

namespace FleetPods.Silo.Api;

/// <summary>
/// A JSON request body, whatever Content-Type the caller named (curl's -d says form data): a body that is not the
/// object expected is one line naming why.
/// </summary>
public static class JsonBody
{
    // The bodies read so are a few words or a URL; this bounds what a caller can make the daemon hold.
    private const int MaxBytes = 1 << 20;

    /// <exception cref="BadRequestException">The body is empty, too large or not the JSON object expected.</exception>
    public static async Task<T> Read<T>(HttpRequest request)
        where T : class
    {
        var bytes = await ReadBytes(request);
        try
        {
            return JsonSerializer.Deserialize<T>(bytes, ApiJson.Options)
                ?? throw new BadRequestException("the body is null; it must be a JSON object");
        }
        catch (JsonException ex)
        {
            throw new BadRequestException($"the body is not the JSON object expected: {ex.Message.Split('\n')[0]}");
        }
    }

    /// <summary>The body as it came, whatever its type (a pod's input, say), bounded as JSON bodies are.</summary>
    /// <exception cref="BadRequestException">The body is larger than the bound.</exception>
    public static async Task<byte[]> ReadBytes(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxBytes)
            {
                throw new BadRequestException($"the body is larger than {MaxBytes >> 20} MiB");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
