using FleetPods.Grains.UnitFiles;

namespace FleetPods.Grains.Tests.UnitFiles;

public sealed class IniSyntaxTests
{
    [Fact]
    public void A_full_unit_parses_into_its_sections()
    {
        var unit = UnitText.Parse("""
            # a comment
            ; another comment
            [Unit]
            Description=The web server

            [Pod]
            Image=example.com/web:1.0
            Exec=/bin/web --port 80

            [X-Fleet]
            Global=true
            """);

        Assert.Equal("web.pod", unit.Name);
        Assert.Equal("The web server", unit.Description);
        Assert.Equal(6, unit.Pod.SectionLine);
        Assert.Equal("example.com/web:1.0", unit.Pod.Image);
        Assert.Equal(["/bin/web", "--port", "80"], unit.Pod.Exec!);
        Assert.True(unit.Fleet.Global);
    }

    [Fact]
    public void The_unit_name_is_the_file_name_part_of_the_path_given()
    {
        var unit = UnitText.Parse(UnitText.Pod(), file: "units/prod/web.pod");

        Assert.Equal("web.pod", unit.Name);
    }

    [Fact]
    public void Errors_name_the_file_as_the_user_gave_it()
    {
        var error = UnitText.SingleError(UnitText.Pod("Memory=lots"), UnitText.FirstExtraLine, "Memory", file: "units/web.pod");

        Assert.Equal("units/web.pod", error.File);
    }

    [Fact]
    public void Whitespace_around_keys_values_and_the_equals_sign_is_trimmed()
    {
        var unit = UnitText.Parse("  [Unit]  \n\t Description  =  spaced out \t\n[Pod]\n  Image =  busybox  \n");

        Assert.Equal("spaced out", unit.Description);
        Assert.Equal("busybox", unit.Pod.Image);
    }

    [Fact]
    public void A_value_may_contain_equals_signs()
    {
        var unit = UnitText.Parse("[Unit]\nDescription=a=b=c\n" + UnitText.Pod());

        Assert.Equal("a=b=c", unit.Description);
    }

    [Fact]
    public void Windows_line_endings_and_a_byte_order_mark_are_accepted()
    {
        var unit = UnitText.Parse("\uFEFF[Unit]\r\nDescription=crlf\r\n[Pod]\r\nImage=busybox\r\nExec=/bin/true\r\n");

        Assert.Equal("crlf", unit.Description);
        Assert.Equal(["/bin/true"], unit.Pod.Exec!);
    }

    [Fact]
    public void Comments_start_only_at_the_beginning_of_a_line()
    {
        var unit = UnitText.Parse("[Unit]\nDescription=keeps # and ; inside\n" + UnitText.Pod());

        Assert.Equal("keeps # and ; inside", unit.Description);
    }

    [Fact]
    public void A_trailing_backslash_joins_the_next_line_with_a_space()
    {
        var unit = UnitText.Parse("[Pod]\nImage=busybox\nExec=/bin/echo one \\\n    two\\\nthree\n");

        Assert.Equal(["/bin/echo", "one", "two", "three"], unit.Pod.Exec!);
    }

    [Fact]
    public void Comment_lines_inside_a_continuation_are_skipped()
    {
        var unit = UnitText.Parse("[Pod]\nImage=busybox\nExec=/bin/echo one \\\n# not part of it\n; nor this\n  two\n");

        Assert.Equal(["/bin/echo", "one", "two"], unit.Pod.Exec!);
    }

    [Fact]
    public void A_blank_line_or_the_end_of_the_file_ends_a_continuation()
    {
        var unit = UnitText.Parse("[Unit]\nDescription=first \\\n\n[Pod]\nImage=busybox\nExec=/bin/echo last \\");

        Assert.Equal("first", unit.Description);
        Assert.Equal(["/bin/echo", "last"], unit.Pod.Exec!);
    }

    [Fact]
    public void An_even_number_of_trailing_backslashes_is_an_escaped_backslash_not_a_continuation()
    {
        var unit = UnitText.Parse("[Pod]\nImage=busybox\nExec=/bin/echo a\\\\\nUser=nobody\n");

        Assert.Equal(["/bin/echo", "a\\"], unit.Pod.Exec!);
        Assert.Equal("nobody", unit.Pod.User);
    }

    [Fact]
    public void Errors_in_a_continued_value_name_the_line_where_it_began()
    {
        UnitText.SingleError(UnitText.Pod("Memory=\\", "lots"), UnitText.FirstExtraLine, "Memory", "invalid size");
    }

    [Fact]
    public void Repeated_section_headers_merge_and_the_first_Pod_header_is_the_section_line()
    {
        var unit = UnitText.Parse("[Pod]\nImage=busybox\n[Unit]\nDescription=d\n[Pod]\nExec=/bin/true\nEnvironment=A=1\n[Pod]\nEnvironment=B=2\n");

        Assert.Equal(1, unit.Pod.SectionLine);
        Assert.Equal("busybox", unit.Pod.Image);
        Assert.Equal(["/bin/true"], unit.Pod.Exec!);
        Assert.Equal([new EnvironmentVariable("A", "1"), new EnvironmentVariable("B", "2")], unit.Pod.Environment);
    }

    [Fact]
    public void A_key_given_twice_keeps_its_last_value_as_in_systemd()
    {
        var pod = UnitText.ParsePod("Memory=1G", "Memory=2G", "User=a", "User=b");

        Assert.Equal(2L << 30, pod.MemoryBytes);
        Assert.Equal("b", pod.User);
    }

    [Fact]
    public void An_empty_assignment_resets_a_key_to_its_default()
    {
        var pod = UnitText.ParsePod("Memory=1G", "Memory=", "Overlay=no", "Overlay=", "Exec=");

        Assert.Null(pod.MemoryBytes);
        Assert.True(pod.Overlay);
        Assert.Null(pod.Exec);
    }

    [Fact]
    public void Every_value_of_a_key_given_twice_is_checked_even_the_overridden_one()
    {
        UnitText.SingleError(UnitText.Pod("Memory=lots", "Memory=1G"), UnitText.FirstExtraLine, "Memory");
    }

    [Fact]
    public void An_empty_file_lacks_the_Pod_section()
    {
        UnitText.SingleError("", 1, "Image", "no [Pod] section");
    }

    [Fact]
    public void A_file_without_a_Pod_section_is_an_error_on_line_1_about_Image()
    {
        UnitText.SingleError("[Unit]\nDescription=nothing to run\n", 1, "Image", "no [Pod] section");
    }

    [Fact]
    public void A_Pod_section_without_Image_is_an_error_on_its_header_line()
    {
        UnitText.SingleError("[Unit]\nDescription=d\n\n[Pod]\nExec=/bin/true\n", 4, "Image", "no Image=");
    }

    [Fact]
    public void A_key_before_any_section_is_an_error()
    {
        UnitText.SingleError("Description=floating\n" + UnitText.Pod(), 1, "Description", "before any section");
    }

    [Fact]
    public void An_unknown_section_is_one_error_on_its_header_and_its_keys_are_not_reported_again()
    {
        var text = UnitText.Pod() + "[Service]\nExecStart=/bin/true\nUser=root\n";

        var error = UnitText.SingleError(text, 4, "", "unknown section [Service]");

        Assert.Contains("[Unit], [Pod], [App NAME] or [X-Fleet]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Section_names_are_case_sensitive()
    {
        UnitText.SingleError(UnitText.Pod() + "[pod]\n", 4, "", "unknown section [pod]");
    }

    [Theory]
    [InlineData("[Pod")]
    [InlineData("[]")]
    [InlineData("[Pod] trailing")]
    [InlineData("[[Pod]]")]
    public void A_malformed_section_header_is_an_error(string header)
    {
        UnitText.SingleError(UnitText.Pod(header), UnitText.FirstExtraLine, "", "invalid section header");
    }

    [Fact]
    public void A_line_that_is_neither_header_nor_assignment_is_an_error()
    {
        UnitText.SingleError(UnitText.Pod("just some words"), UnitText.FirstExtraLine, "", "expected Key=Value");
    }

    [Fact]
    public void An_assignment_without_a_key_is_an_error()
    {
        UnitText.SingleError(UnitText.Pod("=value"), UnitText.FirstExtraLine, "", "without a key");
    }

    [Theory]
    [InlineData("[Unit]", "Name", "Description")]
    [InlineData("[Pod]", "Command", "Image, Exec, Environment, WorkingDirectory, User, Group, SupplementaryGroups, Memory, CPU, Stage1, PrivateUsers, Overlay, Volume, Mount, Port, Restart, Network, Count, MaxUnavailable")]
    [InlineData("[X-Fleet]", "MachineName", "MachineID, MachineOf, MachineMetadata, Conflicts, Global, Replaces")]
    public void An_unknown_key_is_an_error_listing_the_keys_the_section_accepts(string section, string key, string accepted)
    {
        var error = UnitText.SingleError(UnitText.Pod(section, key + "=x"), UnitText.FirstExtraLine + 1, key, "unknown key");

        Assert.Contains($"accepted: {accepted})", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Keys_are_case_sensitive()
    {
        UnitText.SingleError(UnitText.Pod("memory=1G"), UnitText.FirstExtraLine, "memory", "unknown key 'memory' in [Pod]");
    }

    [Fact]
    public void A_control_character_in_a_line_is_an_error_naming_its_key()
    {
        UnitText.SingleError(UnitText.Pod("User=ro\u001Bot"), UnitText.FirstExtraLine, "User", "control character U+001B");
    }

    [Fact]
    public void Tabs_inside_values_are_kept()
    {
        var unit = UnitText.Parse("[Unit]\nDescription=a\tb\n" + UnitText.Pod());

        Assert.Equal("a\tb", unit.Description);
    }
}
