// Loaded into a child `mqtt-lab` by tap-profile (NODE_OPTIONS=--import …; Node refuses --cpu-prof there):
// the V8 profiler runs from start-up, and SIGUSR2 writes the profile to $MQTT_LAB_PROF_FILE. Beside it the
// event loop's delay is sampled (perf_hooks.monitorEventLoopDelay): SIGWINCH starts the window that counts
// (start-up compiles for seconds), and SIGUSR2 writes its percentiles to $MQTT_LAB_PROF_FILE.loop.json.
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const file = process.env.MQTT_LAB_PROF_FILE;
if (file !== undefined) {
  // MQTT_LAB_PROF_LOOP_ONLY=1: the loop's delay alone (the profiler's own sampling would add to it).
  const profiling = process.env.MQTT_LAB_PROF_LOOP_ONLY !== '1';
  const session = new Session();
  session.connect();
  // A session on the same thread answers synchronously.
  if (profiling) {
    session.post('Profiler.enable');
    session.post('Profiler.setSamplingInterval', { interval: 200 });
    session.post('Profiler.start');
  }
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  process.on('SIGWINCH', () => loop.reset());
  process.on('SIGUSR2', () => {
    loop.disable();
    const ms = (ns) => ns / 1e6;
    writeFileSync(`${file}.loop.json`, JSON.stringify({ p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max), count: loop.count }));
    if (!profiling) return writeFileSync(file, '{}');
    session.post('Profiler.stop', (err, res) => {
      writeFileSync(file, err ? JSON.stringify({ error: String(err) }) : JSON.stringify(res.profile));
    });
  });
}
