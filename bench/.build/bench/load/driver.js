import { Histogram } from '../histogram.js';
/**
 * What every load driver counts. Hot paths bump the plain number fields; `mark()` remembers a
 * baseline so a report can give both the measurement window and the totals.
 */
export class Driver {
    constructor() {
        this.messages = 0;
        this.bytes = 0;
        this.sent = 0;
        this.errors = 0;
        this.lastError = undefined;
        this.histogram = new Histogram();
        this.sockets = new Set();
        this.baseline = { messages: 0, bytes: 0, sent: 0, errors: 0 };
    }
    /** Stops generating new traffic; what is in flight still counts. */
    stopSending() { }
    mark() {
        this.baseline = this.totals();
        this.histogram.reset();
    }
    report() {
        const total = this.totals();
        const base = this.baseline;
        return {
            type: 'report',
            window: {
                messages: total.messages - base.messages,
                bytes: total.bytes - base.bytes,
                sent: total.sent - base.sent,
                errors: total.errors - base.errors,
            },
            total,
            histogram: this.histogram.snapshot(),
            open: this.sockets.size,
            lastError: this.lastError,
        };
    }
    /** Drops every connection with a TCP reset: nothing is left in TIME_WAIT for the next run. */
    close() {
        this.stopSending();
        for (const socket of this.sockets)
            socket.resetAndDestroy();
        this.sockets.clear();
    }
    error(message) {
        this.errors++;
        this.lastError = message;
    }
    /** Tracks `socket` and counts an unexpected close as an error. */
    own(socket) {
        this.sockets.add(socket);
        socket.on('error', (error) => this.error(`socket error ${error.code ?? error.message}`));
        socket.on('close', () => {
            if (this.sockets.delete(socket))
                this.error('server closed a connection');
        });
    }
    totals() {
        return { messages: this.messages, bytes: this.bytes, sent: this.sent, errors: this.errors };
    }
}
//# sourceMappingURL=driver.js.map