// Whether the lecturer's class view is open: one flag shared by the button in the lesson list, the G key
// and the view itself.
class ClassViewState {
  open = $state(false);
}

export const classView = new ClassViewState();
