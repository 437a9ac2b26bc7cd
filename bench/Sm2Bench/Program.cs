using System.Diagnostics;
using System.Globalization;
using OrleansLicenses.Bench;

// Prints one JSON object on stdout (signatures/s of each path) and readable lines on stderr.
double seconds = Arguments.Seconds(args);
byte[] message = Workloads.Message(1024);
var reference = Workloads.Reference(message);
var platform = Workloads.Platform(message);

Console.Error.WriteLine($"SM2 sign, {message.Length}-byte message, {seconds.ToString(CultureInfo.InvariantCulture)} s per figure in 3 rounds, {Environment.ProcessorCount} cores");
Console.Error.WriteLine("warming up ...");
Throughput.OneThread(reference, Math.Max(1, seconds / 3));
Throughput.OneThread(platform, Math.Max(1, seconds / 3));
Throughput.AllCores(platform, Math.Max(1, seconds / 3));

// The machine is shared: the paths are measured in alternating rounds and each figure is the median of its rounds,
// so a burst of someone else's load does not land on one path only.
const int rounds = 3;
var figures = new Dictionary<string, List<double>> { ["reference"] = [], ["platform"] = [], ["all-cores"] = [] };
for (int round = 1; round <= rounds; round++)
{
    figures["reference"].Add(Throughput.OneThread(reference, seconds / rounds));
    figures["platform"].Add(Throughput.OneThread(platform, seconds / rounds));
    figures["all-cores"].Add(Throughput.AllCores(platform, seconds / rounds));
    Console.Error.WriteLine($"round {round}: reference {figures["reference"][^1]:F1}, platform {figures["platform"][^1]:F1}, all cores {figures["all-cores"][^1]:F1} signatures/s");
}

double referenceRate = Median(figures["reference"]);
double platformRate = Median(figures["platform"]);
double allCoresRate = Median(figures["all-cores"]);
Console.Error.WriteLine($"sm2-reference (stock SM2Signer, GMNamedCurves, one signer reused): {referenceRate,10:F1} signatures/s");
Console.Error.WriteLine($"sm2-platform (pooled Sm2SigningKey, specialised curve), 1 thread:   {platformRate,10:F1} signatures/s  ({platformRate / referenceRate:F2}x reference)");
Console.Error.WriteLine($"sm2-platform-all-cores ({Environment.ProcessorCount} threads):                      {allCoresRate,10:F1} signatures/s  ({allCoresRate / referenceRate:F2}x reference)");

Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{{\"sm2-reference\":{referenceRate:F1},\"sm2-platform\":{platformRate:F1},\"sm2-platform-all-cores\":{allCoresRate:F1},\"unit\":\"signatures/s\"}}"));
return 0;

static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

namespace OrleansLicenses.Bench
{
    internal static class Arguments
    {
        public static double Seconds(string[] args)
        {
            int i = Array.IndexOf(args, "--seconds");
            if (i < 0)
            {
                return 5;
            }

            if (i + 1 >= args.Length || !double.TryParse(args[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || value <= 0)
            {
                throw new ArgumentException("--seconds needs a positive number.");
            }

            return value;
        }
    }

    /// <summary>Counts how many signatures a workload makes in a fixed time, on one thread or on every core.</summary>
    internal static class Throughput
    {
        public static double OneThread(Action sign, double seconds)
        {
            var clock = Stopwatch.StartNew();
            long count = 0;
            var end = TimeSpan.FromSeconds(seconds);
            while (clock.Elapsed < end)
            {
                sign();
                count++;
            }

            return count / clock.Elapsed.TotalSeconds;
        }

        public static double AllCores(Action sign, double seconds)
        {
            int threads = Environment.ProcessorCount;
            long total = 0;
            using var start = new Barrier(threads + 1);
            var end = TimeSpan.FromSeconds(seconds);
            Stopwatch clock = new();
            var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
            {
                start.SignalAndWait();
                long count = 0;
                while (clock.Elapsed < end)
                {
                    sign();
                    count++;
                }

                Interlocked.Add(ref total, count);
            })).ToList();
            workers.ForEach(w => w.Start());
            clock.Start();
            start.SignalAndWait();
            workers.ForEach(w => w.Join());
            return total / clock.Elapsed.TotalSeconds;
        }
    }
}
