using System;
using System.Threading;
using System.Threading.Tasks;
using Omapi.Core.Connection;
using Xunit;

namespace Omapi.Core.Tests.Connection
{
    /// <summary>The window's rules, one by one (docs/design/request-lifecycle.md, "The window").</summary>
    public class SendWindowTests
    {
        private static readonly long Far = Deadlines.After(TimeSpan.FromMinutes(5));

        /// <summary>A waiter is granted on the thread that frees room, and its task completes asynchronously.</summary>
        private static Task<int> Granted(Task<int> waiter) => waiter.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        private static Task<int> Take(SendWindow window, int requestBytes, int expectedReply, CancellationToken token = default) =>
            window.TakeAsync(requestBytes, () => expectedReply, Far, token);

        [Fact]
        public async Task A_request_goes_while_the_replies_ahead_of_it_are_expected_within_the_budget()
        {
            var window = new SendWindow(3500);
            for (int i = 0; i < 4; i++)
            {
                // Replies ahead of each: 0, 1000, 2000, 3000 bytes, all within 3,500.
                Assert.True(Take(window, 100, 1000).IsCompletedSuccessfully, "request " + i);
            }

            Task<int> fifth = Take(window, 100, 1000); // 4,000 bytes of replies would be ahead of it
            Assert.False(fifth.IsCompleted);
            Assert.Equal(4, window.InFlight);
            Assert.Equal(4000, window.ExpectedReplyBytes);

            window.Release(1000, surprise: false);
            await Granted(fifth);
            Assert.Equal(1000, await fifth); // the estimate it took, to be given back with its reply
            Assert.Equal(4, window.InFlight);
        }

        [Fact]
        public async Task Requests_sent_since_the_connection_was_last_idle_are_bounded_until_it_is_idle_again()
        {
            var window = new SendWindow(3500);
            for (int i = 0; i < 4; i++)
            {
                Assert.True(Take(window, 1000, 10).IsCompletedSuccessfully); // sent since idle before each: 0 .. 3,000
            }

            Task<int> fifth = Take(window, 1000, 10); // 4,000 bytes sent since idle: the next could start past dhcpd's ring
            Assert.False(fifth.IsCompleted);
            window.Release(10, surprise: false);
            window.Release(10, surprise: false);
            window.Release(10, surprise: false);
            Assert.False(fifth.IsCompleted); // answered requests do not take their bytes out of dhcpd's input ring
            Assert.Equal(4000, window.SentSinceIdle);

            window.Release(10, surprise: false); // idle: dhcpd has consumed everything and freed its buffers
            await Granted(fifth);
            Assert.Equal(1000, window.SentSinceIdle);
        }

        [Fact]
        public async Task A_large_request_may_follow_others_but_nothing_follows_it_until_the_connection_is_idle()
        {
            var window = new SendWindow(3500);
            Assert.True(Take(window, 100, 100).IsCompletedSuccessfully);
            Assert.True(Take(window, 10_000, 100).IsCompletedSuccessfully); // it starts at byte 100 of dhcpd's ring
            Task<int> next = Take(window, 10, 10);
            Assert.False(next.IsCompleted); // it would start at byte 10,100
            window.Release(100, surprise: false);
            Assert.False(next.IsCompleted);
            window.Release(100, surprise: false);
            await Granted(next);
        }

        [Fact]
        public async Task A_reply_larger_than_its_estimate_makes_the_connection_drain()
        {
            var window = new SendWindow(3500);
            Assert.True(Take(window, 100, 300).IsCompletedSuccessfully);
            Assert.True(Take(window, 100, 300).IsCompletedSuccessfully);
            Assert.True(Take(window, 100, 300).IsCompletedSuccessfully);
            window.Release(300, surprise: true); // the estimate was wrong: the others in flight may be as wrong
            Assert.False(window.TryTake(100, 300));
            Task<int> waiting = Take(window, 100, 300);
            window.Release(300, surprise: false);
            Assert.False(waiting.IsCompleted);
            window.Release(300, surprise: false); // idle
            await Granted(waiting);
            Assert.True(window.TryTake(100, 300)); // the drain ends with the idle moment
        }

        [Fact]
        public void A_lone_request_always_goes()
        {
            var window = new SendWindow(256);
            Assert.True(window.TryTake(1 << 20, 1 << 20));
            Assert.False(window.TryTake(1, 1));
        }

        [Fact]
        public async Task Waiters_are_served_in_order_and_a_bulk_sender_never_overtakes_them()
        {
            var window = new SendWindow(1000);
            Assert.True(Take(window, 900, 10).IsCompletedSuccessfully);
            Assert.True(Take(window, 900, 10).IsCompletedSuccessfully); // 900 sent since idle: still within 1,000
            Task<int> large = Take(window, 900, 10);
            Task<int> small = Take(window, 10, 10);
            Assert.False(large.IsCompleted);
            Assert.False(window.TryTake(1, 1)); // waiters go first
            window.Release(10, surprise: false);
            window.Release(10, surprise: false);
            await Granted(large);
            await Granted(small);
        }

        [Fact]
        public async Task Cancelling_a_waiter_takes_nothing_and_lets_the_next_through()
        {
            var window = new SendWindow(1000);
            Assert.True(Take(window, 1100, 10).IsCompletedSuccessfully);
            using var cts = new CancellationTokenSource();
            Task<int> blocked = Take(window, 900, 10, cts.Token);
            Task<int> other = Take(window, 50, 10);
            cts.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => blocked);
            Assert.False(other.IsCompleted);
            window.Release(10, surprise: false);
            await Granted(other);
            Assert.Equal(1, window.InFlight);
            Assert.Equal(50, window.SentSinceIdle);
        }

        [Fact]
        public void A_blocking_take_gives_up_at_its_deadline_and_takes_nothing()
        {
            var window = new SendWindow(1000);
            Assert.True(window.TryTake(2000, 10));
            int taken = window.Take(10, () => 10, Deadlines.After(TimeSpan.FromMilliseconds(50)), default);
            Assert.Equal(-1, taken);
            window.Release(10, surprise: false);
            Assert.Equal(0, window.InFlight);
            Assert.True(window.TryTake(10, 10));
        }

        [Fact]
        public async Task A_blocking_take_is_woken_when_room_comes()
        {
            var window = new SendWindow(1000);
            Assert.True(window.TryTake(2000, 10));
            Task<int> taker = Task.Run(() => window.Take(10, () => 42, Far, default));
            await Task.Delay(50, TestContext.Current.CancellationToken);
            Assert.False(taker.IsCompleted);
            window.Release(10, surprise: false);
            Assert.Equal(42, await taker.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        }

        [Fact]
        public async Task A_failed_window_fails_waiters_and_later_requests()
        {
            var window = new SendWindow(1000);
            Assert.True(Take(window, 1900, 10).IsCompletedSuccessfully);
            Task<int> waiting = Take(window, 900, 10);
            var fault = new OmapiConnectionException("gone");
            window.Fail(fault);
            Assert.Same(fault, await Assert.ThrowsAsync<OmapiConnectionException>(() => waiting));
            Assert.Same(fault, await Assert.ThrowsAsync<OmapiConnectionException>(() => Take(window, 1, 1)));
            Assert.False(window.TryTake(1, 1));
        }
    }
}
