using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using Steer.Cli.Commands;
using Steer.Cli.Daemon;
using Steer.Cli.Demo;
using Steer.Cli.Routes;
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
              steer rule add example.com wg0                       a domain and its subdomains via wg0
              steer probe                                          what this kernel offers
              steer demo                                           see it work on a throw-away lab
            """);
        // Scripts call `steer run` over and over: it gets a tree with only itself, since every
        // command built costs each start. Anything else (help, typos) sees all of them.
        if (args is ["run", ..])
            root.Add(RunCommand.Create());
        else
        {
            foreach (var command in All())
                root.Add(command);
        }
        CommandDetails.MoveBelowHelp(root);
        return root.Parse(args).Invoke();
    }

    private static IEnumerable<Command> All() =>
    [
        RunCommand.Create(),
        UnbindCommand.Create(),
        RuleCommand.Create(),
        .. DaemonCommands.Create(),
        .. InspectCommands.Create(),
        PlanCommand.Create(),
        .. Proxy.ProxyCommands.Create(),
        ProbeCommand.Create(),
        DemoCommand.Create(),
    ];
}

/// <summary>
/// A command's description is written as one text: a first paragraph saying what it is for,
/// then details and examples. Lists of commands show the first paragraph only; a command's own
/// --help shows it on top and the rest at the bottom, where man pages keep their examples.
/// </summary>
internal static class CommandDetails
{
    private static readonly Dictionary<Command, string> Details = [];

    public static void MoveBelowHelp(RootCommand root)
    {
        var pending = new Stack<Command>([root]);
        while (pending.TryPop(out var command))
        {
            var text = command.Description ?? "";
            int split = text.IndexOf("\n\n", StringComparison.Ordinal);
            if (split > 0)
            {
                command.Description = text[..split];
                Details[command] = text[(split + 2)..];
            }
            foreach (var child in command.Subcommands)
                pending.Push(child);
        }
        if (root.Options.OfType<HelpOption>().FirstOrDefault() is { Action: SynchronousCommandLineAction standard } help)
            help.Action = new WithDetails(standard);
    }

    private sealed class WithDetails(SynchronousCommandLineAction standard) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            int result = standard.Invoke(parseResult);
            if (Details.TryGetValue(parseResult.CommandResult.Command, out var details))
            {
                Console.Out.WriteLine("Details:");
                foreach (var line in details.Split('\n'))
                    Console.Out.WriteLine(line.Length == 0 ? "" : "  " + line);
            }
            return result;
        }
    }
}
