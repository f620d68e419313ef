// The operations clock. It follows the data: once scans arrive, "now" is the time of the latest
// scan seen, running on at real speed between updates (so a replayed day shows its own time);
// before any data it is the machine's clock.

let dataTime = null;
let seenAt = 0;

export function observe(iso) {
  if (!iso) return;
  const moment = new Date(iso);
  if (Number.isNaN(moment.getTime())) return;
  if (dataTime === null || moment.getTime() > now().getTime()) {
    dataTime = moment;
    seenAt = performance.now();
  }
}

export function now() {
  if (dataTime === null) return new Date();
  return new Date(dataTime.getTime() + (performance.now() - seenAt));
}

export function followsData() {
  return dataTime !== null;
}
