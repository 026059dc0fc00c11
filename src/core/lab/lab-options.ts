import type { AclRule, BrokerKind } from '../../shared/lab.js';

export interface LabOptions {
  /** Which broker sits behind the tap. Default the embedded aedes. */
  broker?: BrokerKind;
  /** `host:port` of an upstream broker (broker 'upstream'). */
  upstream?: string;
  users?: Record<string, string>;
  acl?: AclRule[];
  /** The port students connect to (the tap). Default 1883; 0 picks a free port. */
  port?: number;
  /** Bind the tap to all interfaces so an ESP32 or phone on the LAN can connect. */
  lan?: boolean;
  /** Packets the capture keeps (oldest dropped first). Default 200,000. */
  capacity?: number;
  maxPacketSize?: number;
  /** Folders of lessons: the built-in course (default: the checkout's lessons/) and a lecturer's own. */
  lessonDirs?: Array<{ dir: string; origin: 'built-in' | 'yours' }>;
  /** The user's data folder: lesson progress and the student's name are saved there. None: not saved. */
  dataDir?: string;
}
