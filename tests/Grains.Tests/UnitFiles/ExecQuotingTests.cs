namespace FleetPods.Grains.Tests.UnitFiles;

public sealed class ExecQuotingTests
{
    public static TheoryData<string, string[]> Splits => new()
    {
        { "/bin/true", ["/bin/true"] },
        { "/bin/echo a b", ["/bin/echo", "a", "b"] },
        { "/bin/echo   a \t b", ["/bin/echo", "a", "b"] },
        { "/bin/sh -c \"echo hi; exit 3\"", ["/bin/sh", "-c", "echo hi; exit 3"] },
        { "/bin/echo 'single quoted' \"double quoted\"", ["/bin/echo", "single quoted", "double quoted"] },
        { "/bin/echo \"it's\"", ["/bin/echo", "it's"] },
        { "/bin/echo 'say \"hi\"'", ["/bin/echo", "say \"hi\""] },
        { "/bin/echo \"a \\\"quoted\\\" word\"", ["/bin/echo", "a \"quoted\" word"] },
        { "/bin/echo 'a\\'b'", ["/bin/echo", "a'b"] },
        { "/bin/echo don\\'t", ["/bin/echo", "don't"] },
        { "/bin/echo \\\"bare\\\"", ["/bin/echo", "\"bare\""] },
        { "/bin/echo a\\\\b", ["/bin/echo", "a\\b"] },
        { "/bin/echo \\n \\t \\s", ["/bin/echo", "\n", "\t", " "] },
        { "/bin/echo \"x\\ny\\tz\\sw\"", ["/bin/echo", "x\ny\tz w"] },
        { "/bin/echo one\\stwo", ["/bin/echo", "one two"] },
        { "/bin/echo \"\"", ["/bin/echo", ""] },
        { "/bin/echo '' x", ["/bin/echo", "", "x"] },
        { "\"/bin/echo\" x", ["/bin/echo", "x"] },
        { "/bin/echo \"  padded  \"", ["/bin/echo", "  padded  "] },
        { "/bin/echo \"#not a comment\" ;nor=this", ["/bin/echo", "#not a comment", ";nor=this"] },
        { "/bin/echo %n %% 100%%", ["/bin/echo", "%n", "%%", "100%%"] },
    };

    public static TheoryData<string, string> Failures => new()
    {
        { "/bin/echo \"unterminated", "unterminated quote" },
        { "/bin/echo 'unterminated", "unterminated quote" },
        { "/bin/echo \"ends in an escaped quote\\\"", "unterminated quote" },
        { "/bin/echo \"a\"b", "a quoted word must end at its closing quote" },
        { "/bin/echo 'a''b'", "a quoted word must end at its closing quote" },
        { "/bin/echo --opt=\"a b\"", "in the middle of a word" },
        { "/bin/echo it's", "in the middle of a word" },
        { "/bin/echo \\x", "unknown escape \\x" },
        { "/bin/echo \"\\q\"", "unknown escape \\q" },
        { "sh -c true", "must be an absolute path" },
        { "\"\"", "must be an absolute path" },
        { "./run", "must be an absolute path" },
    };

    [Theory]
    [MemberData(nameof(Splits))]
    public void Exec_splits_into_words_as_systemd_ExecStart(string value, string[] argv)
    {
        Assert.Equal(argv, UnitText.ParsePod($"Exec={value}").Exec!);
    }

    [Theory]
    [MemberData(nameof(Failures))]
    public void A_badly_quoted_Exec_is_an_error(string value, string messagePart)
    {
        UnitText.PodLineError($"Exec={value}", "Exec", messagePart);
    }
}
