using System.Text.Json.Nodes;

namespace Microsoft.ML.Recurrent.Layers.Recurrent;

/// <summary>Keras's <c>use_cudnn</c> argument: <c>"auto"</c>, <c>true</c> or <c>false</c>, anything else is an error.</summary>
internal static class CudnnChoice
{
    public static string Parse(string value) => value.ToLowerInvariant() switch
    {
        "auto" => "auto",
        "true" => "true",
        "false" => "false",
        _ => throw new ArgumentException($"Invalid valid received for argument `use_cudnn`. Expected one of {{'auto', True, False}}. Received: use_cudnn={value}", "useCudnn"),
    };

    public static string Read(JsonObject config) => config["use_cudnn"] switch
    {
        null => "auto",
        JsonValue v when v.TryGetValue<bool>(out bool b) => b ? "true" : "false",
        JsonValue v => Parse(v.GetValue<string>()),
        var other => throw new FormatException($"use_cudnn: expected \"auto\", true or false; got {other.ToJsonString()}."),
    };
}
