// LessonsApi over the Lab API's `lessons.*` commands.
import type { LabApi } from '../../shared/api.js';
import type { LessonsApi } from './lessons-api.js';

export function remoteLessons(api: LabApi): LessonsApi {
  return {
    list: () => api.call('lessons.list', {}),
    get: (id) => api.call('lessons.get', { id }),
    start: (id) => api.call('lessons.start', { id }),
    next: () => api.call('lessons.next', {}),
    answer: (step, choice) => api.call('lessons.answer', { step, choice }),
    close: () => api.call('lessons.close', {}),
  };
}
