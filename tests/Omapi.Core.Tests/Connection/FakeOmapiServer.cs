using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Omapi.Core.Connection;
using Omapi.Core.Protocol;
using Omapi.Core.Security;

namespace Omapi.Core.Tests.Connection
{
    /// <summary>
    /// A scripted OMAPI peer on 127.0.0.1 for behaviour a real dhcpd cannot be made to show: silence, forged or unsigned
    /// replies, unknown rids, absurd lengths, bad intros, dropped connections. Each accepted connection runs the script.
    /// </summary>
    internal sealed class FakeOmapiServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new TcpListener(IPAddress.Loopback, 0);
        private readonly Func<FakePeer, int, Task> _script;
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly List<Task> _connections = new List<Task>();
        private readonly Task _accepting;
        private int _accepted;

        internal FakeOmapiServer(Func<FakePeer, int, Task> script)
        {
            _script = script;
            _listener.Start();
            _accepting = AcceptLoopAsync();
        }

        internal int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        internal int Accepted => Volatile.Read(ref _accepted);

        /// <summary>Options for a client of this peer: 127.0.0.1 and its port, <paramref name="key"/> (null for a peer that
        /// does not authenticate), 10 s to connect and <paramref name="requestSeconds"/> per request.</summary>
        internal OmapiConnectionOptions ClientOptions(OmapiKey? key, double requestSeconds = 10) => new OmapiConnectionOptions
        {
            Server = "127.0.0.1",
            Port = Port,
            Key = key,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            RequestTimeout = TimeSpan.FromSeconds(requestSeconds),
        };

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            _listener.Stop();
            try
            {
                await _accepting.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException || ex is ObjectDisposedException || ex is OperationCanceledException)
            {
            }

            Task[] running;
            lock (_connections)
            {
                running = _connections.ToArray();
            }

            await Task.WhenAny(Task.WhenAll(running), Task.Delay(5000)).ConfigureAwait(false);
            _stop.Dispose();
        }

        private async Task AcceptLoopAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
                int index = Interlocked.Increment(ref _accepted) - 1;
                var peer = new FakePeer(client, _stop.Token);
                lock (_connections)
                {
                    _connections.Add(RunAsync(peer, index));
                }
            }
        }

        private async Task RunAsync(FakePeer peer, int index)
        {
            using (peer)
            {
                try
                {
                    await _script(peer, index).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is System.IO.IOException || ex is SocketException || ex is ObjectDisposedException || ex is OperationCanceledException)
                {
                    // The client went away; that is what several tests provoke.
                }
            }
        }
    }

    /// <summary>One accepted connection, with helpers to read requests and write raw or encoded replies.</summary>
    internal sealed class FakePeer : IDisposable
    {
        private readonly TcpClient _client;
        private readonly NetworkStream _stream;
        private readonly CancellationToken _token;
        private byte[] _buffer = new byte[65536];
        private int _count;

        internal FakePeer(TcpClient client, CancellationToken token)
        {
            _client = client;
            _client.NoDelay = true;
            _stream = client.GetStream();
            _token = token;
        }

        internal long BytesReceived { get; private set; }

        /// <summary>True when bytes of a further message are already buffered or waiting on the socket.</summary>
        internal bool HasBufferedData => _count > 0 || _client.Available > 0;

        internal Task SendIntroAsync(uint version = 100, uint headerLength = 24)
        {
            var intro = new byte[8];
            OmapiEncoding.WriteUInt32(intro, 0, version);
            OmapiEncoding.WriteUInt32(intro, 4, headerLength);
            return SendRawAsync(intro);
        }

        internal async Task ReadIntroAsync()
        {
            while (_count < 8)
            {
                await FillAsync().ConfigureAwait(false);
            }

            Consume(8);
        }

        /// <summary>Reads the next client message (and its encoded length), or null when the client closed.</summary>
        internal async Task<(OmapiMessage Message, int Length)?> ReadMessageAsync()
        {
            while (true)
            {
                if (OmapiCodec.TryDecode(_buffer, 0, _count, 0, 1 << 20, out OmapiFrame frame))
                {
                    Consume(frame.Length);
                    return (frame.Message, frame.Length);
                }

                if (!await FillAsync().ConfigureAwait(false))
                {
                    return null;
                }
            }
        }

        internal Task SendAsync(OmapiMessage message, OmapiMac? mac = null) => SendRawAsync(OmapiCodec.EncodeCore(message, mac));

        internal async Task SendRawAsync(byte[] bytes) => await _stream.WriteAsync(bytes, _token).ConfigureAwait(false);

        /// <summary>dhcpd's side of connecting: the intro both ways, then, with a key, the authenticator opened as
        /// <paramref name="authHandle"/>.</summary>
        internal async Task HandshakeAsync(OmapiKey? key, uint authHandle)
        {
            await SendIntroAsync().ConfigureAwait(false);
            await ReadIntroAsync().ConfigureAwait(false);
            if (key != null)
            {
                await AcceptAuthenticationAsync(key, authHandle).ConfigureAwait(false);
            }
        }

        /// <summary>Handles the authenticator open and the signed probe the client sends after it.</summary>
        internal async Task AcceptAuthenticationAsync(OmapiKey key, uint authHandle)
        {
            var open = await ReadMessageAsync().ConfigureAwait(false) ?? throw new InvalidOperationException("no authenticator open");
            await SendAsync(new OmapiMessage(OmapiOpcode.Update, authHandle, 1000, open.Message.Id, null, new OmapiValueList().Add("name", key.Name))).ConfigureAwait(false);
            var probe = await ReadMessageAsync().ConfigureAwait(false) ?? throw new InvalidOperationException("no probe");
            using OmapiMac mac = key.CreateMac();
            await SendAsync(new OmapiMessage(OmapiOpcode.Update, authHandle, 1001, probe.Message.Id, null, new OmapiValueList().Add("name", key.Name)) { AuthId = authHandle }, mac).ConfigureAwait(false);
        }

        internal static OmapiMessage Status(uint rid, uint result, string? text = null)
        {
            var values = new OmapiValueList().Add("result", result);
            if (text != null)
            {
                values.Add("message", text);
            }

            return new OmapiMessage(OmapiOpcode.Status, 0, 5000, rid, values);
        }

        public void Dispose() => _client.Dispose();

        private async Task<bool> FillAsync()
        {
            if (_count == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }

            int n = await _stream.ReadAsync(_buffer.AsMemory(_count), _token).ConfigureAwait(false);
            _count += n;
            BytesReceived += n;
            return n > 0;
        }

        private void Consume(int length)
        {
            Buffer.BlockCopy(_buffer, length, _buffer, 0, _count - length);
            _count -= length;
        }
    }
}
