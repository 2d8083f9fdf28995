using Steer.Cli.Run;
using Steer.Linux.Bpf;
using Steer.Linux.Native;
using Steer.Linux.Probes;

namespace Steer.Cli.Commands;

/// <summary>Turns the failures a command can meet into one line on stderr and an exit code.</summary>
internal static class CommandErrors
{
    public const int Usage = 2, Failure = 1;

    /// <summary>Runs a command synchronously: no async machinery to start (it was JIT-compiled
    /// at every `steer run`, and start-up time is what scripts feel).</summary>
    public static int Run(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (UsageException e) { return Fail(e.Message, Usage); }
        catch (CommandNotStartedException e) { return Fail(e.Message, e.ExitCode); }
        catch (MissingKernelFeatureException e) { return Fail(e.Message, Failure); }
        catch (BpfException e) { return Fail(e.Message, Failure); }
        catch (LinuxException e) { return Fail(e.Message, Failure); }
        catch (UnauthorizedAccessException e) { return Fail(e.Message + " (Steer must run as root)", Failure); }
        catch (IOException e) { return Fail(e.Message, Failure); }
        catch (InvalidOperationException e) { return Fail(e.Message, Failure); }
    }

    private static int Fail(string message, int code)
    {
        Console.Error.WriteLine($"steer: {message}");
        return code;
    }
}
