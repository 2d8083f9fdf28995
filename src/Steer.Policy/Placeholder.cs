namespace Steer.Policy; internal static class Placeholder { }
