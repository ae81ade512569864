<%@ page contentType="text/plain; charset=UTF-8" trimDirectiveWhitespaces="true" %>
<%
  Integer counter = (Integer) session.getAttribute("counter");
  counter = counter == null ? 1 : counter + 1;
  session.setAttribute("counter", counter);
%>
node=<%= System.getProperty("lab.node") %> counter=<%= counter %> session=<%= session.getId() %>
