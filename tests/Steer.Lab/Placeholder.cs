namespace Steer.Lab; internal static class Placeholder { }
