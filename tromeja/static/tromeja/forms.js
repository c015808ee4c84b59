// Forms: error summary focus and other form behaviour shared by every page.
