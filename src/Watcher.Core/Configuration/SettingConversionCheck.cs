using System.Collections;
using System.ComponentModel;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace Watcher.Configuration;

/// <summary>
/// Finds every configuration value that cannot be converted to the type of the option it sets,
/// with the setting's full path and the values it accepts.
/// </summary>
/// <remarks>
/// Written by hand because <see cref="ConfigurationBinder"/> throws for a bad scalar but, inside
/// a list, silently drops the whole element it could not bind: a subscriber with
/// <c>"Schedule": "hourly"</c> would vanish and never get mail again. No binder option turns that
/// into an error, so the section is walked against the options type before it is bound.
/// </remarks>
public static class SettingConversionCheck
{
    public static IReadOnlyList<string> Find(IConfigurationSection section, Type optionsType)
    {
        var failures = new List<string>();
        Walk(section, optionsType, failures);
        return failures;
    }

    private static void Walk(IConfigurationSection section, Type type, List<string> failures)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (IsScalar(type))
        {
            if (section.Value is { } value && !TryConvert(value, type))
            {
                failures.Add($"{section.Path}: '{value}' is not {Accepted(type)}.");
            }

            return;
        }

        if (DictionaryValueType(type) is { } valueType)
        {
            foreach (var child in section.GetChildren())
            {
                Walk(child, valueType, failures);
            }

            return;
        }

        if (ElementType(type) is { } elementType)
        {
            foreach (var child in section.GetChildren())
            {
                Walk(child, elementType, failures);
            }

            return;
        }

        foreach (var child in section.GetChildren())
        {
            var property = type.GetProperty(child.Key, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property is not null)
            {
                Walk(child, property.PropertyType, failures);
            }
        }
    }

    private static bool IsScalar(Type type) =>
        type == typeof(string) || type.IsPrimitive || type.IsEnum || type == typeof(decimal)
        || type == typeof(TimeSpan) || type == typeof(DateTimeOffset) || type == typeof(DateTime)
        || type == typeof(TimeOnly) || type == typeof(Guid) || type == typeof(Uri);

    private static bool TryConvert(string value, Type type)
    {
        if (type == typeof(string))
        {
            return true;
        }

        // An empty value leaves the option at its default, as the binder does.
        if (value.Length == 0)
        {
            return true;
        }

        if (type.IsEnum)
        {
            // The binder would accept a number too, but a number names no documented schedule or day.
            return Enum.TryParse(type, value, ignoreCase: true, out var parsed)
                && !char.IsAsciiDigit(value.TrimStart('-')[0])
                && Enum.IsDefined(type, parsed!);
        }

        try
        {
            TypeDescriptor.GetConverter(type).ConvertFromInvariantString(value);
            return true;
        }
        catch (Exception e) when (e is FormatException or NotSupportedException or ArgumentException or OverflowException
                                  || e.InnerException is FormatException or OverflowException)
        {
            return false;
        }
    }

    private static string Accepted(Type type) =>
        type.IsEnum ? "one of " + string.Join(", ", Enum.GetNames(type).Select(n => n.ToLowerInvariant()))
        : type == typeof(bool) ? "a boolean (true or false)"
        : type == typeof(TimeSpan) ? "a time span such as 00:15:00 (hh:mm:ss) or 1.00:00:00 (one day)"
        : type == typeof(TimeOnly) ? "a time of day such as 08:00"
        : type == typeof(int) || type == typeof(long) ? "a whole number"
        : type == typeof(double) || type == typeof(decimal) ? "a number such as 0.5"
        : $"a valid {type.Name}";

    private static Type? DictionaryValueType(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() is var definition
        && (definition == typeof(Dictionary<,>) || definition == typeof(IDictionary<,>) || definition == typeof(IReadOnlyDictionary<,>))
            ? type.GetGenericArguments()[1]
            : null;

    private static Type? ElementType(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }

        if (!typeof(IEnumerable).IsAssignableFrom(type))
        {
            return null;
        }

        return type.IsGenericType ? type.GetGenericArguments()[0] : null;
    }
}
