using System;
using System.Threading;
using System.Threading.Tasks;
using Omapi.Core.Connection;
using Xunit;

namespace Omapi.Core.Tests.Connection
{
    public class SendWindowTests
    {
        [Fact]
        public void Requests_are_admitted_while_both_budgets_hold()
        {
            var window = new SendWindow(3500);
            Assert.True(window.AcquireAsync(100, 1000, default).IsCompletedSuccessfully);
            Assert.True(window.AcquireAsync(100, 1000, default).IsCompletedSuccessfully);
            Assert.True(window.AcquireAsync(100, 1000, default).IsCompletedSuccessfully);
            Task fourth = window.AcquireAsync(100, 1000, default); // 4,000 expected reply bytes > 3,500
            Assert.False(fourth.IsCompleted);
            Assert.Equal(3, window.InFlight);
            Assert.Equal(3000, window.ReplyBytes);

            window.Release(100, 1000);
            Assert.True(fourth.IsCompletedSuccessfully);
            Assert.Equal(3, window.InFlight);
        }

        [Fact]
        public void The_request_side_is_bounded_too()
        {
            var window = new SendWindow(3500);
            Assert.True(window.AcquireAsync(3000, 10, default).IsCompletedSuccessfully);
            Task second = window.AcquireAsync(600, 10, default);
            Assert.False(second.IsCompleted);
            Assert.Equal(3000, window.RequestBytes);
        }

        [Fact]
        public void A_request_larger_than_the_budget_goes_alone()
        {
            var window = new SendWindow(3500);
            Assert.True(window.AcquireAsync(100, 100, default).IsCompletedSuccessfully);
            Task big = window.AcquireAsync(10_000, 100, default);
            Assert.False(big.IsCompleted); // never beside another request
            window.Release(100, 100);
            Assert.True(big.IsCompletedSuccessfully); // alone it is fine
            Task next = window.AcquireAsync(10, 10, default);
            Assert.False(next.IsCompleted);
            window.Release(10_000, 100);
            Assert.True(next.IsCompletedSuccessfully);
        }

        [Fact]
        public void Waiters_are_served_in_order()
        {
            var window = new SendWindow(1000);
            Assert.True(window.AcquireAsync(900, 10, default).IsCompletedSuccessfully);
            Task large = window.AcquireAsync(900, 10, default);
            Task small = window.AcquireAsync(150, 10, default);
            Assert.False(small.IsCompleted); // must not overtake the large waiter ahead of it
            window.Release(900, 10);
            Assert.True(large.IsCompletedSuccessfully);
            Assert.False(small.IsCompleted); // 900 + 150 > 1,000: waits for the large one's reply
            window.Release(900, 10);
            Assert.True(small.IsCompletedSuccessfully);
        }

        [Fact]
        public async Task Cancelling_a_waiter_reserves_nothing_and_lets_the_next_through()
        {
            var window = new SendWindow(1000);
            Assert.True(window.AcquireAsync(900, 10, default).IsCompletedSuccessfully);
            using var cts = new CancellationTokenSource();
            Task blocked = window.AcquireAsync(900, 10, cts.Token);
            Task small = window.AcquireAsync(50, 10, default);
            cts.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => blocked);
            Assert.True(small.IsCompletedSuccessfully);
            Assert.Equal(2, window.InFlight);
            Assert.Equal(950, window.RequestBytes);
        }

        [Fact]
        public async Task A_failed_window_fails_waiters_and_later_requests()
        {
            var window = new SendWindow(1000);
            Assert.True(window.AcquireAsync(900, 10, default).IsCompletedSuccessfully);
            Task waiting = window.AcquireAsync(900, 10, default);
            var fault = new OmapiConnectionException("gone");
            window.Fail(fault);
            Assert.Same(fault, await Assert.ThrowsAsync<OmapiConnectionException>(() => waiting));
            Assert.Same(fault, await Assert.ThrowsAsync<OmapiConnectionException>(() => window.AcquireAsync(1, 1, default)));
        }
    }
}
