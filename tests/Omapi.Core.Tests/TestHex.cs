using System;
using System.Linq;

namespace Omapi.Core.Tests
{
    internal static class TestHex
    {
        /// <summary>Hex with optional spaces, and "quoted ASCII" segments, to bytes.</summary>
        internal static byte[] Bytes(string text)
        {
            var result = new System.Collections.Generic.List<byte>();
            int i = 0;
            while (i < text.Length)
            {
                char c = text[i];
                if (char.IsWhiteSpace(c))
                {
                    i++;
                }
                else if (c == '"')
                {
                    int end = text.IndexOf('"', i + 1);
                    result.AddRange(text.Substring(i + 1, end - i - 1).Select(ch => (byte)ch));
                    i = end + 1;
                }
                else
                {
                    result.Add(Convert.ToByte(text.Substring(i, 2), 16));
                    i += 2;
                }
            }

            return result.ToArray();
        }
    }
}
