/* loop: test function that never ends (stopped by the deadline or fuel). */
int main(void) {
  volatile unsigned long n = 0;
  for (;;) n++;
}
