using System.CommandLine;
using Steer.Cli.Commands;
using Steer.Cli.Demo;
using Steer.Cli.Rules;

namespace Steer.Cli;

internal static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("""
            Steer puts every flow of this host on the interface it belongs on.

            Examples:
              steer run --via wg0 -- curl https://example.com      one program, one interface
              steer run --via eth1 --exclude 10.0.0.0/8 -- bash    a shell whose children use eth1
              steer probe                                          what this kernel offers
              steer demo                                           see it work on a throw-away lab
            """)
        {
            RunCommand.Create(),
            UnbindCommand.Create(),
            ProbeCommand.Create(),
            DemoCommand.Create(),
            RuleCommand.Create(),
        };
        return root.Parse(args).Invoke();
    }
}
