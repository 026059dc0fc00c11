// LessonsApi over the Lab API's `lessons.*` commands.
import type { LabApi } from '../../shared/api.js';
import type { LessonsApi } from './lessons-api.js';

export function remoteLessons(api: LabApi): LessonsApi {
  return {
    list: () => api.call('lessons.list', {}),
    get: (id) => api.call('lessons.get', { id }),
    start: (id, graded) => api.call('lessons.start', graded === true ? { id, graded } : { id }),
    next: () => api.call('lessons.next', {}),
    answer: (step, given) => api.call('lessons.answer', { step, ...given }),
    choose: (step, value) => api.call('lessons.choose', { step, value }),
    rerun: (step) => api.call('lessons.rerun', { step }),
    close: (id) => api.call('lessons.close', id === undefined ? {} : { id }),
  };
}
