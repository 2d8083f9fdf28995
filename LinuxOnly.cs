// Steer is a Linux tool: every assembly of it (product, tests, benchmarks) runs on Linux only.
// Compiled into each project by Directory.Build.props, so the platform analyzer (CA1416) knows.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
