using System;
using Omapi.Core.Objects;

namespace Omapi.Core.Protocol
{
    /// <summary>Interprets server replies: STATUS results as typed exceptions, UPDATE replies as objects.</summary>
    public static class OmapiReplies
    {
        /// <summary>
        /// The <c>result</c> of a STATUS reply, translated to the 4.2+ numbering. A missing or malformed result is
        /// ISC_R_UNEXPECTED, as dhcpctl treats it. Non-STATUS replies give 0.
        /// </summary>
        public static uint ResultOf(OmapiMessage reply, OmapiResultNumbering numbering = OmapiResultNumbering.Modern)
        {
            if (reply == null)
            {
                throw new ArgumentNullException(nameof(reply));
            }

            if (reply.Op != OmapiOpcode.Status)
            {
                return 0;
            }

            byte[]? result = reply.MessageValues.Get("result");
            return result == null || result.Length != 4
                ? (uint)OmapiResult.Unexpected
                : OmapiResults.Normalize(OmapiEncoding.ReadUInt32(result, 0), numbering);
        }

        /// <summary>The <c>message</c> text of a STATUS reply, or null.</summary>
        public static string? MessageOf(OmapiMessage reply)
        {
            byte[]? message = reply?.MessageValues.Get("message");
            return message == null || message.Length == 0 ? null : OmapiEncoding.ToText(message);
        }

        /// <summary>
        /// Expects an UPDATE reply carrying an object (read from <paramref name="server"/>, when given); a STATUS becomes the
        /// matching <see cref="OmapiServerException"/>.
        /// </summary>
        public static OmapiObject ExpectObject(OmapiMessage reply, string? type, string operation, OmapiResultNumbering numbering = OmapiResultNumbering.Modern, string? server = null)
        {
            if (reply == null)
            {
                throw new ArgumentNullException(nameof(reply));
            }

            if (reply.Op == OmapiOpcode.Update)
            {
                return new OmapiObject(type, reply.Handle, reply.ObjectValues, server);
            }

            uint code = ResultOf(reply, numbering);
            if (code == (uint)OmapiResult.Success)
            {
                // dhcpd sends "success" with a message when it looked the object up but could not apply the change
                // (e.g. create/update flags on an authenticator): no object came back, so this is a failure.
                throw new OmapiServerException((uint)OmapiResult.Unexpected, MessageOf(reply) ?? "no object returned", operation);
            }

            throw OmapiServerException.Create(code, MessageOf(reply), operation);
        }

        /// <summary>Expects a STATUS reply with result success (or UNCHANGED); anything else throws.</summary>
        public static void ExpectSuccess(OmapiMessage reply, string operation, OmapiResultNumbering numbering = OmapiResultNumbering.Modern)
        {
            if (reply == null)
            {
                throw new ArgumentNullException(nameof(reply));
            }

            if (reply.Op != OmapiOpcode.Status)
            {
                throw new OmapiProtocolException("Expected a STATUS reply to '" + operation + "', got " + reply.Op + ".");
            }

            uint code = ResultOf(reply, numbering);
            if (code != (uint)OmapiResult.Success && code != (uint)OmapiResult.Unchanged)
            {
                throw OmapiServerException.Create(code, MessageOf(reply), operation);
            }
        }
    }
}
