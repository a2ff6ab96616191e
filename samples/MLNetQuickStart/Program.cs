using MLNetQuickStart;

string modelPath = Path.Combine(Path.GetTempPath(), "MLNetQuickStart.zip");
QuickStart.Run(modelPath, Console.Out);
Console.WriteLine($"Model saved to {modelPath}");
