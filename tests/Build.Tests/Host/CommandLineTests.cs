using Cake.Core.Diagnostics;
using Registry.Build.Host;

namespace Registry.Build.Tests.Host;

public sealed class CommandLineTests
{
    [Fact]
    public void Reads_name_equals_value_name_space_value_and_bare_switches()
    {
        var line = CommandLine.Parse(["--target=Plan", "--host", "registry.example.com", "--dryrun", "--replicas=2", "-v", "verbose"]);

        Assert.Equal("Plan", line.Target);
        Assert.True(line.DryRun);
        Assert.Equal(Verbosity.Verbose, line.Verbosity);
        Assert.Equal("registry.example.com", line.Arguments["host"]);
        Assert.Equal("2", line.Arguments["replicas"]);
    }

    [Fact]
    public void Keeps_host_options_out_of_the_arguments_handed_to_tasks()
    {
        var line = CommandLine.Parse(["-t", "Deploy", "--exclusive", "--tree", "--description", "--smoke-test"]);

        Assert.True(line.Exclusive && line.Tree && line.Description);
        Assert.Equal(["smoke-test"], line.Arguments.Keys);
        Assert.Equal("true", line.Arguments["smoke-test"]);
    }

    [Fact]
    public void A_value_may_contain_equals_signs_and_the_last_occurrence_wins()
    {
        var line = CommandLine.Parse(["--kube-context=a=b", "--kube-context=c=d"]);

        Assert.Equal("c=d", line.Arguments["kube-context"]);
    }

    [Theory]
    [InlineData("Deploy", "Unexpected argument 'Deploy'")]
    [InlineData("--=x", "needs a name")]
    [InlineData("--verbosity=chatty", "--verbosity: 'chatty' is not a verbosity")]
    [InlineData("--exclusive=often", "--exclusive: 'often' is not a switch value")]
    public void Refuses_what_it_cannot_read_and_says_what_is_expected(string argument, string message)
    {
        var error = Assert.Throws<CommandLineException>(() => CommandLine.Parse([argument]));

        Assert.Contains(message, error.Message);
    }
}
