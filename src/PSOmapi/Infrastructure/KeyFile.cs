using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Omapi.Core.Security;

namespace PSOmapi
{
    /// <summary>
    /// Reads <c>key "name" { algorithm hmac-sha256; secret "base64"; };</c> blocks — the syntax dhcpd.conf, named.conf
    /// and <c>tsig-keygen</c> share. Comments (#, //, /* */) are skipped. No message ever repeats a secret.
    /// </summary>
    internal static class KeyFile
    {
        internal static OmapiKey Read(string text, string? keyName, string source)
        {
            List<(string Name, string? Algorithm, string? Secret)> keys = Parse(text, source);
            if (keys.Count == 0)
            {
                throw new FormatException("No key block was found in " + source + ". Expected: key \"name\" { algorithm hmac-sha256; secret \"...\"; };");
            }

            (string Name, string? Algorithm, string? Secret) key;
            if (keyName != null)
            {
                key = keys.FirstOrDefault(k => string.Equals(k.Name, keyName, StringComparison.OrdinalIgnoreCase));
                if (key.Name == null)
                {
                    throw new FormatException(source + " has no key named '" + keyName + "'. It has: " + string.Join(", ", keys.Select(k => k.Name)) + ".");
                }
            }
            else if (keys.Count > 1)
            {
                throw new FormatException(source + " holds several keys (" + string.Join(", ", keys.Select(k => k.Name)) + "); choose one with -KeyName.");
            }
            else
            {
                key = keys[0];
            }

            if (key.Secret == null)
            {
                throw new FormatException("Key '" + key.Name + "' in " + source + " has no secret \"...\"; statement.");
            }

            // dhcpd's default algorithm is hmac-md5 when a key block names none.
            string algorithmText = key.Algorithm ?? "hmac-md5";
            if (!OmapiAlgorithms.TryParse(algorithmText, out OmapiAlgorithm algorithm))
            {
                throw new FormatException("Key '" + key.Name + "' in " + source + " uses algorithm '" + algorithmText + "', which dhcpd cannot use for OMAPI. Use hmac-md5, hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384 or hmac-sha512.");
            }

            try
            {
                return OmapiKey.FromBase64(key.Name, algorithm, key.Secret);
            }
            catch (ArgumentException ex)
            {
                throw new FormatException("Key '" + key.Name + "' in " + source + ": " + ex.Message.Split('\n')[0].Replace(" (Parameter 'base64Secret')", string.Empty), ex);
            }
        }

        private static List<(string, string?, string?)> Parse(string text, string source)
        {
            List<string> tokens = Tokenize(text);
            var keys = new List<(string, string?, string?)>();
            int i = 0;
            while (i < tokens.Count)
            {
                if (tokens[i] != "key")
                {
                    i++;
                    continue;
                }

                if (i + 2 >= tokens.Count || tokens[i + 2] != "{")
                {
                    throw new FormatException("Malformed key block in " + source + ": expected key \"name\" { ... };");
                }

                string name = tokens[i + 1];
                string? algorithm = null;
                string? secret = null;
                i += 3;
                while (i < tokens.Count && tokens[i] != "}")
                {
                    string word = tokens[i];
                    if ((word == "algorithm" || word == "secret") && i + 1 < tokens.Count)
                    {
                        if (word == "algorithm")
                        {
                            algorithm = tokens[i + 1];
                        }
                        else
                        {
                            secret = tokens[i + 1];
                        }

                        i += 2;
                    }
                    else
                    {
                        i++;
                    }
                }

                if (i >= tokens.Count)
                {
                    throw new FormatException("Key '" + name + "' in " + source + " is not closed with '};'.");
                }

                keys.Add((name, algorithm, secret));
                i++;
            }

            return keys;
        }

        private static List<string> Tokenize(string text)
        {
            var tokens = new List<string>();
            int i = 0;
            while (i < text.Length)
            {
                char c = text[i];
                if (char.IsWhiteSpace(c) || c == ';')
                {
                    i++;
                }
                else if (c == '#' || (c == '/' && i + 1 < text.Length && text[i + 1] == '/'))
                {
                    while (i < text.Length && text[i] != '\n')
                    {
                        i++;
                    }
                }
                else if (c == '/' && i + 1 < text.Length && text[i + 1] == '*')
                {
                    int end = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                    i = end < 0 ? text.Length : end + 2;
                }
                else if (c == '{' || c == '}')
                {
                    tokens.Add(c.ToString());
                    i++;
                }
                else if (c == '"')
                {
                    int end = text.IndexOf('"', i + 1);
                    if (end < 0)
                    {
                        throw new FormatException("A quoted string is not closed.");
                    }

                    tokens.Add(text.Substring(i + 1, end - i - 1));
                    i = end + 1;
                }
                else
                {
                    var sb = new StringBuilder();
                    while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] != ';' && text[i] != '{' && text[i] != '}' && text[i] != '"')
                    {
                        sb.Append(text[i]);
                        i++;
                    }

                    tokens.Add(sb.ToString());
                }
            }

            return tokens;
        }
    }
}
