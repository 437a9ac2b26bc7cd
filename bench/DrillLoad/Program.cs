using OrleansLicenses.Drills;

// bench/drills.sh runs this twice per drill:
//   DrillLoad load --apis URL,URL --issuer-token T --verifier-token T --seconds S --out DIR --prefix D1 --holder-base N
//                  --valid-from YYYY-MM-DD [--issue-rate 30] [--verify-rate 120] [--timeout 10] [--known FILE,FILE]
//   DrillLoad analyze --dir DIR --marks FILE [--exclude-host I]      -> one JSON object of figures on stdout
if (args.Length == 0 || args[0] is not ("load" or "analyze"))
{
    Console.Error.WriteLine("usage: DrillLoad load|analyze --option value ...");
    return 2;
}

var options = new Options(args.Skip(1));
if (args[0] == "analyze")
{
    Console.WriteLine(Analysis.Run(options.Text("dir"), options.Text("marks"), options.OptionalText("exclude-host") is { } h ? int.Parse(h, System.Globalization.CultureInfo.InvariantCulture) : null));
    return 0;
}

return await LoadRun.RunAsync(options);
