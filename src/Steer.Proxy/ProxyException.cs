namespace Steer.Proxy;

/// <summary>The proxy refused a configuration or could not set something up; the message says what.</summary>
public sealed class ProxyException(string message, Exception? inner = null) : Exception(message, inner);
