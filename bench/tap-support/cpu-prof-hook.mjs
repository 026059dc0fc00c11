// Loaded into a child `mqtt-lab` by tap-profile (NODE_OPTIONS=--import …; Node refuses --cpu-prof there):
// the V8 profiler runs from start-up, and SIGUSR2 writes the profile to $MQTT_LAB_PROF_FILE.
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';

const file = process.env.MQTT_LAB_PROF_FILE;
if (file !== undefined) {
  const session = new Session();
  session.connect();
  // A session on the same thread answers synchronously.
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 200 });
  session.post('Profiler.start');
  process.on('SIGUSR2', () => {
    session.post('Profiler.stop', (err, res) => {
      writeFileSync(file, err ? JSON.stringify({ error: String(err) }) : JSON.stringify(res.profile));
    });
  });
}
