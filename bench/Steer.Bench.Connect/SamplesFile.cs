using System.Globalization;

namespace Steer.Bench.Connect;

/// <summary>Every round's figures as CSV (<c>--samples FILE</c>), for a closer look than medians
/// give: <c>case,round,variant,batch_median_ns,mean_ns</c>, rounds in the order they ran.</summary>
internal sealed class SamplesFile : IDisposable
{
    private readonly StreamWriter _writer;

    public SamplesFile(string path)
    {
        _writer = new StreamWriter(path);
        _writer.WriteLine("case,round,variant,batch_median_ns,mean_ns");
    }

    public void Add(string caseName, Paired<Round> rounds)
    {
        for (var i = 0; i < rounds.Baseline.Count; i++)
        {
            Write(caseName, i, "plain", rounds.Baseline[i]);
            Write(caseName, i, "steer", rounds.Steered[i]);
        }
        _writer.Flush();
    }

    private void Write(string caseName, int round, string variant, Round r) =>
        _writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{caseName},{round},{variant},{r.BatchMedian:0.0},{r.Mean:0.0}"));

    public void Dispose() => _writer.Dispose();
}
