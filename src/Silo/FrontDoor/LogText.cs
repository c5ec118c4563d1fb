namespace FleetPods.Silo.FrontDoor;

/// <summary>
/// Text a caller chose (a path, a certificate's subject) as it may appear in one log line or one refusal: control
/// characters become '?', so nobody can forge a second audit line with a newline.
/// </summary>
public static class LogText
{
    public static string Of(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return string.Create(text.Length, text, (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? '?' : source[i];
            }
        });
    }
}
