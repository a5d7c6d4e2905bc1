using System;
using System.Linq;
using FsCheck;
using FsCheck.Fluent;
using Omapi.Core.Protocol;
using Omapi.Core.Security;
using Xunit;

namespace Omapi.Core.Tests.Protocol
{
    /// <summary>FsCheck properties: any message round-trips; any damaged input is a protocol error or "need more", never anything else.</summary>
    public class CodecPropertyTests
    {
        private const int Max = 64 * 1024;

        private static readonly OmapiKey Sha256Key = new OmapiKey("k", OmapiAlgorithm.HmacSha256, Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

        private static Gen<string> NameGen =>
            from length in Gen.Choose(1, 24)
            from chars in Gen.ArrayOf(Gen.Choose(1, 255).Select(i => (char)i), length)
            select new string(chars);

        private static Gen<OmapiValueList> ListGen =>
            from count in Gen.Choose(0, 6)
            from names in Gen.ArrayOf(NameGen, count)
            from values in Gen.ArrayOf(Gen.Choose(0, 300).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), n)), count)
            select new OmapiValueList(names.Select((n, i) => new OmapiValue(n, values[i])));

        private static Gen<uint> UIntGen => ArbMap.Default.GeneratorFor<uint>();

        private static Arbitrary<OmapiMessage> MessageArb =>
            (from op in Gen.Elements(OmapiOpcode.Open, OmapiOpcode.Refresh, OmapiOpcode.Update, OmapiOpcode.Notify, OmapiOpcode.Status, OmapiOpcode.Delete)
             from handle in UIntGen
             from id in UIntGen
             from rid in UIntGen
             from authId in UIntGen
             from messageValues in ListGen
             from objectValues in ListGen
             select new OmapiMessage(op, handle, id, rid, messageValues, objectValues) { AuthId = authId }).ToArbitrary();

        [Fact]
        public void Any_message_round_trips()
        {
            Prop.ForAll(MessageArb, m =>
            {
                byte[] bytes = OmapiCodec.Encode(m);
                bool ok = OmapiCodec.TryDecode(bytes, 0, bytes.Length, 0, Max, out OmapiFrame frame);
                return ok && frame.Length == bytes.Length && SameMessage(m, frame.Message, expectedAuthId: 0);
            }).QuickCheckThrowOnFailure();
        }

        [Fact]
        public void Any_signed_message_round_trips_and_verifies()
        {
            Prop.ForAll(MessageArb, m =>
            {
                using OmapiMac mac = Sha256Key.CreateMac();
                byte[] bytes = OmapiCodec.EncodeCore(m, mac);
                bool ok = OmapiCodec.TryDecode(bytes, 0, bytes.Length, 0, Max, out OmapiFrame frame);
                byte[] check = mac.Compute(frame.SignedBytes.Array!, frame.SignedBytes.Offset, frame.SignedBytes.Count);
                return ok && SameMessage(m, frame.Message, m.AuthId) && check.SequenceEqual(frame.Message.Signature) && frame.Message.Signature.Length == 32;
            }).QuickCheckThrowOnFailure();
        }

        [Fact]
        public void Every_proper_prefix_asks_for_more_bytes()
        {
            Prop.ForAll(MessageArb, m =>
            {
                byte[] bytes = OmapiCodec.Encode(m);
                for (int cut = 0; cut < bytes.Length; cut++)
                {
                    if (OmapiCodec.TryDecode(bytes, 0, cut, 0, Max, out _))
                    {
                        return false;
                    }
                }

                return true;
            }).QuickCheckThrowOnFailure();
        }

        [Fact]
        public void Two_messages_in_one_buffer_decode_in_order()
        {
            Prop.ForAll(MessageArb, MessageArb, (a, b) =>
            {
                byte[] first = OmapiCodec.Encode(a);
                byte[] second = OmapiCodec.Encode(b);
                byte[] both = first.Concat(second).ToArray();
                return OmapiCodec.TryDecode(both, 0, both.Length, 0, Max, out OmapiFrame f1)
                    && OmapiCodec.TryDecode(both, f1.Length, both.Length - f1.Length, 0, Max, out OmapiFrame f2)
                    && f1.Message.Id == a.Id && f2.Message.Id == b.Id && f1.Length + f2.Length == both.Length;
            }).QuickCheckThrowOnFailure();
        }

        [Fact]
        public void Mutated_frames_give_a_protocol_error_or_a_message_never_another_exception()
        {
            Arbitrary<(OmapiMessage, int, byte)> mutations =
                (from m in MessageArb.Generator
                 from position in Gen.Choose(0, 10_000)
                 from value in Gen.Choose(0, 255)
                 select (m, position, (byte)value)).ToArbitrary();
            Prop.ForAll(mutations, t =>
            {
                byte[] bytes = OmapiCodec.Encode(t.Item1);
                bytes[t.Item2 % bytes.Length] = t.Item3;
                return DecodesSafely(bytes, 1024);
            }).QuickCheckThrowOnFailure();
        }

        [Fact]
        public void Random_bytes_give_a_protocol_error_or_need_more_never_another_exception()
        {
            Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), bytes => DecodesSafely(bytes, 4096)).QuickCheckThrowOnFailure();
        }

        private static bool DecodesSafely(byte[] bytes, int max)
        {
            try
            {
                int offset = 0;
                while (offset < bytes.Length && OmapiCodec.TryDecode(bytes, offset, bytes.Length - offset, 0, max, out OmapiFrame frame))
                {
                    if (frame.Length <= 0 || frame.Length > max)
                    {
                        return false;
                    }

                    offset += frame.Length;
                }

                return true;
            }
            catch (OmapiProtocolException)
            {
                return true;
            }
        }

        private static bool SameMessage(OmapiMessage a, OmapiMessage b, uint expectedAuthId) =>
            a.Op == b.Op && a.Handle == b.Handle && a.Id == b.Id && a.Rid == b.Rid && b.AuthId == expectedAuthId
            && SameList(a.MessageValues, b.MessageValues) && SameList(a.ObjectValues, b.ObjectValues);

        private static bool SameList(OmapiValueList a, OmapiValueList b) =>
            a.Count == b.Count && a.Zip(b, (x, y) => x == y).All(equal => equal);
    }
}
