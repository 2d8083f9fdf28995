namespace Steer.Cli.Run;

/// <summary>A mistake in what the user asked for; the message names the flag and the problem.</summary>
internal sealed class UsageException(string message) : Exception(message);
